// One autocannon load in a worker thread (its own event loop, so it does not steal the app's),
// where every request is a prepared one: its own method, path, headers (a borrower's session
// cookie, a fresh Idempotency-Key) and body. Each prepared request is sent at most once; when
// they run out the load stops early (the figures then cover the shorter time). Plain JavaScript
// so the worker needs no TypeScript loader. Used by scripts/bench/applications.ts.
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

/** @type {{ url: string; connections: number; duration: number; requests: { method: string; path: string; headers: Record<string, string>; body?: string }[]; cycle: boolean; fillerPath: string }} */
const job = workerData;
let cursor = 0;
let exhausted = false;
const latencies = [];
const statuses = {};
const instance = autocannon(
  {
    url: job.url,
    connections: job.connections,
    duration: job.duration,
    requests: [
      {
        setupRequest: (req) => {
          if (cursor >= job.requests.length && !job.cycle) {
            // every prepared request is sent: stop; until autocannon has, each connection idles on
            // a cheap GET on job.fillerPath (at most one per connection) that the caller leaves out by status
            if (!exhausted) {
              exhausted = true;
              setImmediate(() => instance.stop());
            }
            return { ...req, method: 'GET', path: job.fillerPath, headers: {}, body: undefined };
          }
          const r = job.requests[cursor++ % job.requests.length];
          return { ...req, method: r.method, path: r.path, headers: r.headers, body: r.body };
        },
      },
    ],
  },
  (err, result) => {
    if (err) {
      parentPort.postMessage({ error: String(err) });
      return;
    }
    // inside a worker thread autocannon hands back raw (unaggregated) results: count ourselves
    const seconds = (Number(result.finish) - Number(result.start)) / 1000 || job.duration;
    parentPort.postMessage({
      seconds,
      rps: result.totalCompletedRequests / seconds,
      non2xx: result.non2xx,
      errors: result.errors,
      timeouts: result.timeouts,
      total: result.totalCompletedRequests,
      sent: Math.min(cursor, job.requests.length),
      exhausted,
      statuses,
      latencies: Float64Array.from(latencies),
    });
  },
);
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  statuses[statusCode] = (statuses[statusCode] ?? 0) + 1;
  if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
});
