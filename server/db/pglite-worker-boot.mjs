// Starts the database thread (server/db/pglite-worker.ts, see pglite-thread.ts) through tsx's
// loader, the same way under the built server, scripts and tests. Plain JavaScript: a worker
// thread starts without the parent's TypeScript loader.
import { pathToFileURL } from 'node:url';
import { workerData } from 'node:worker_threads';
import { register } from 'tsx/esm/api';

register();
await import(pathToFileURL(workerData.entry).href);
