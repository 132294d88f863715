// Runs one autocannon load in a worker thread, so the load generator has its own event loop
// (and on a 2-core machine, its own core) instead of sharing the app's. Plain JavaScript so
// the worker needs no TypeScript loader.
import { readlinkSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

/** this thread's Linux thread id (undefined off Linux): the main thread reads its CPU time from /proc */
function ownThreadId() {
  try {
    return readlinkSync('/proc/thread-self').split('/').pop();
  } catch {
    return undefined;
  }
}

const job = workerData;
let cursor = 0;
const latencies = [];
// like browsers and apps, each connection keeps the visitor cookie it was given and says which
// compressions it reads (what Chrome sends; Android's OkHttp and iOS's URLSession send gzip too)
const headers = { ...(job.cookie ? { cookie: job.cookie } : {}), ...(job.acceptEncoding ? { 'accept-encoding': job.acceptEncoding } : {}) };
// job.paths, one after another across the connections: built as each request is sent (each is
// new) or, with job.prebuilt (a sample that repeats), each connection's share built once, as
// autocannon builds a single URL's request once (building one costs the load generator ~10 µs,
// on the cores it shares with the app)
const requests = job.paths && !job.prebuilt
  ? [{ method: 'GET', setupRequest: (req) => ({ ...req, path: job.paths[cursor++ % job.paths.length] }) }]
  : undefined;
let connection = 0;
function setupClient(client) {
  // autocannon appends every response body to a string (UTF-8 decoding it, kept for callbacks this
  // bench does not use): for a gzipped answer that cost the load generator ~57 µs a response, as
  // much as the app spent answering it, on the cores both share. The bytes are still counted.
  client.pipelinedRequests.addBody = () => undefined;
  if (job.paths && job.prebuilt) {
    const share = job.paths.filter((_, i) => i % job.connections === connection);
    connection++;
    cursor += share.length;
    client.setRequests(share.map((path) => ({ method: 'GET', path })));
  }
}
// the main thread takes this thread's CPU time now, and again when the results arrive; listening
// keeps this thread alive until then (the main thread ends it)
parentPort.postMessage({ started: ownThreadId() });
parentPort.on('message', () => undefined);
const instance = autocannon({ url: job.url, connections: job.connections, duration: job.duration, headers, setupClient, ...(requests ? { requests } : {}) }, (err, result) => {
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
    seconds,
    latencies: Float64Array.from(latencies),
  });
});
instance.on('response', (_client, statusCode, _bytes, responseTime) => {
  if (statusCode >= 200 && statusCode < 300) latencies.push(responseTime);
});
