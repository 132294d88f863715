import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { QueryOptions, Results } from '@electric-sql/pglite';
import { projectRoot } from '../lib/project-root';
import { returnsItsInput } from './pglite-queries';
import { errorFromThread, type PgliteThreadOptions, type ThreadReply, type ThreadRequest } from './pglite-thread-protocol';

type Params = unknown[] | undefined;

/**
 * The thread's code: built into dist/pglite-worker.js (scripts/build.mjs) when this module runs
 * from the build, as `npm start` runs it; else its TypeScript source, started through tsx's loader
 * (scripts, tests).
 */
const workerFile = import.meta.url.endsWith('.ts') ? path.join(projectRoot, 'server/db/pglite-worker-boot.mjs') : path.join(projectRoot, 'dist/pglite-worker.js');
/** A request without its id (given when it is sent). */
type Unsent = ThreadRequest extends infer R ? (R extends ThreadRequest ? Omit<R, 'id'> : never) : never;

/** the statements of one transaction, as drizzle's PGlite session runs them */
export interface ThreadTransaction {
  query<T>(text: string, params?: Params, options?: QueryOptions): Promise<Results<T>>;
  rollback(): Promise<void>;
  readonly closed: boolean;
}

/**
 * PGlite in a thread of its own, with the part of PGlite's interface drizzle and the channel
 * listener use: `query`, `transaction` and `listen`. PostgreSQL compiled to WebAssembly runs
 * every statement synchronously on whichever thread holds it; on the serving thread a batch of
 * search events stalled every request behind it. Here the serving thread only sends each
 * statement and its parameters and receives the rows (structured clone); PGlite's work is done on
 * the other core. Statements are sent in the order they are called, as they reach PGlite on one
 * thread. The thread keeps the process alive only while a reply is awaited.
 *
 * Values cross as structured clones: text, numbers, booleans, BigInt, Uint8Array and JSON values
 * arrive as they left. Drizzle's parsers (keep timestamps, dates, intervals and numeric arrays as
 * the text PostgreSQL sent) are installed on the thread's PGlite once, by type; a query bringing
 * any other parser, a serialiser, a blob or a notice callback is refused (none of ours does).
 */
export class PgliteThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(result: Results | null): void; reject(err: Error): void }>();
  private readonly listeners = new Map<string, Set<(payload: string) => void>>();
  private readonly textTypes = new Set<number>();
  private seq = 0;
  private transactions = 0;
  /** why the thread can no longer answer (it stopped or failed to start) */
  private failure: Error | undefined;
  readonly waitReady: Promise<void>;

  constructor(options: PgliteThreadOptions) {
    this.worker = new Worker(workerFile, {
      workerData: { entry: path.join(projectRoot, 'server/db/pglite-worker.ts'), options },
      // not the parent's options (an -e script's --input-type, tsx's hooks): the boot file registers tsx itself
      execArgv: process.execArgv.filter((arg) => arg === '--enable-source-maps'),
      transferList: options.loadDataDir ? [options.loadDataDir] : [],
    });
    this.waitReady = new Promise((resolve, reject) => {
      this.worker.on('message', (m: ThreadReply) => {
        if ('ready' in m) return m.ready ? resolve() : reject(this.stop(errorFromThread(m.error)));
        if ('notify' in m) return this.listeners.get(m.notify)?.forEach((listener) => listener(m.payload));
        const call = this.pending.get(m.id);
        if (!call) return;
        this.pending.delete(m.id);
        if (this.pending.size === 0) this.worker.unref();
        if ('error' in m) call.reject(errorFromThread(m.error));
        else call.resolve(m.result);
      });
      this.worker.on('error', (err) => reject(this.stop(err)));
      this.worker.on('exit', (code) => reject(this.stop(new Error(`the database thread stopped (exit code ${code})`))));
    });
  }

  private stop(err: Error): Error {
    this.failure ??= err;
    for (const call of this.pending.values()) call.reject(this.failure);
    this.pending.clear();
    return this.failure;
  }

  private call(request: Unsent): Promise<Results | null> {
    if (this.failure) return Promise.reject(this.failure);
    const id = ++this.seq;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...request, id });
    });
  }

  /** PGlite's `query`: sent at the call, before the first await */
  query<T>(text: string, params?: Params, options?: QueryOptions): Promise<Results<T>> {
    return this.statement(undefined, text, params, options) as Promise<Results<T>>;
  }

  private statement(tx: number | undefined, text: string, params: Params, options: QueryOptions | undefined): Promise<Results | null> {
    let textTypes: number[] | undefined;
    try {
      textTypes = this.newTextTypes(options);
    } catch (err) {
      return Promise.reject(err as Error);
    }
    return this.call({ op: 'query', tx, text, params, rowMode: options?.rowMode, paramTypes: options?.paramTypes, textTypes });
  }

  /** the types of a query's keep-the-text parsers not yet installed on the thread */
  private newTextTypes(options: QueryOptions | undefined): number[] | undefined {
    if (options?.serializers || options?.blob || options?.onNotice) throw new Error('serialisers, blobs and notice callbacks cannot cross to the database thread');
    let added: number[] | undefined;
    for (const [key, parser] of Object.entries(options?.parsers ?? {})) {
      const type = Number(key);
      if (this.textTypes.has(type)) continue;
      if (!returnsItsInput(parser)) throw new Error(`a parser for type ${type} cannot cross to the database thread: only ones that keep the text`);
      this.textTypes.add(type);
      (added ??= []).push(type);
    }
    return added;
  }

  /** PGlite's `transaction`: BEGIN, the callback's statements, COMMIT (ROLLBACK when it throws or rolls back) */
  async transaction<T>(callback: (tx: ThreadTransaction) => Promise<T>): Promise<T> {
    const id = ++this.transactions;
    await this.call({ op: 'begin', tx: id });
    let closed = false;
    const tx: ThreadTransaction = {
      query: <R>(text: string, params?: Params, options?: QueryOptions) =>
        closed ? Promise.reject(new Error('Transaction is closed')) : (this.statement(id, text, params, options) as Promise<Results<R>>),
      rollback: async () => {
        if (closed) throw new Error('Transaction is closed');
        closed = true;
        await this.call({ op: 'rollback', tx: id });
      },
      get closed() {
        return closed;
      },
    };
    try {
      const result = await callback(tx);
      if (!closed) {
        closed = true;
        await this.call({ op: 'commit', tx: id });
      }
      return result;
    } catch (err) {
      if (!closed) {
        closed = true;
        await this.call({ op: 'rollback', tx: id }).catch(() => undefined);
      }
      throw err;
    }
  }

  /** PGlite's `listen`: `onNotify` for each NOTIFY on the channel; resolves to the call that stops it */
  async listen(channel: string, onNotify: (payload: string) => void): Promise<() => Promise<void>> {
    let listeners = this.listeners.get(channel);
    if (!listeners) {
      this.listeners.set(channel, (listeners = new Set()));
      await this.call({ op: 'listen', channel });
    }
    listeners.add(onNotify);
    return async () => {
      listeners.delete(onNotify);
      if (listeners.size > 0 || this.listeners.get(channel) !== listeners) return;
      this.listeners.delete(channel);
      await this.call({ op: 'unlisten', channel });
    };
  }

  /** closes PGlite (its files written) and ends the thread */
  async close(): Promise<void> {
    if (!this.failure) await this.call({ op: 'close' });
    this.stop(new Error('the database is closed'));
    await this.worker.terminate();
  }
}
