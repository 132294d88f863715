// Runs one autocannon load in a worker thread, so the load generator has its own event loop
// (and on a 2-core machine, its own core) instead of sharing the app's. Plain JavaScript so
// the worker needs no TypeScript loader.
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

const job = workerData;
let cursor = 0;
const latencies = [];
const requests = job.paths
  ? [{ method: 'GET', setupRequest: (req) => ({ ...req, path: job.paths[cursor++ % job.paths.length] }) }]
  : undefined;
// like browsers and apps, each connection keeps the visitor cookie it was given and says which
// compressions it reads (what Chrome sends; Android's OkHttp and iOS's URLSession send gzip too)
const headers = { ...(job.cookie ? { cookie: job.cookie } : {}), ...(job.acceptEncoding ? { 'accept-encoding': job.acceptEncoding } : {}) };
const instance = autocannon({ url: job.url, connections: job.connections, duration: job.duration, headers, ...(requests ? { requests } : {}) }, (err, result) => {
  if (err) {
    parentPort.postMessage({ error: String(err) });
    return;
  }
  // inside a worker thread autocannon hands back raw (unaggregated) results: count ourselves
  const seconds = (Number(result.finish) - Number(result.start)) / 1000 || job.duration;
  parentPort.postMessage({
    rps: result.totalCompletedRequests / seconds,
    non2xx: result.non2xx,
    errors: result.errors,
    total: result.totalCompletedRequests,
    bytes: result.totalBytes,
    sent: cursor,
    latencies: Float64Array.from(latencies),
  });
});
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
});
