import { parentPort, workerData } from 'node:worker_threads';
import type { PGlite, Transaction } from '@electric-sql/pglite';
import { openPglite } from './pglite-open';
import { threadError, type PgliteThreadOptions, type ThreadReply, type ThreadRequest } from './pglite-thread-protocol';

/**
 * The database thread of the embedded default: PGlite (all of PostgreSQL, compiled to
 * WebAssembly) runs here, so its statements take this thread's core and not the serving
 * thread's. Requests come from `PgliteThread` (pglite-thread.ts); each runs as it arrives, and
 * PGlite's own locks order them as they would on one thread (a statement outside a transaction
 * waits for the transaction under way).
 */
const port = parentPort!;
const { options } = workerData as { options: PgliteThreadOptions };
const send = (reply: ThreadReply) => port.postMessage(reply);

/** an open transaction: its handle, and how to end it (commit, or roll back) */
interface OpenTransaction {
  tx: Transaction;
  end(rollback: boolean): void;
  /** settles when PGlite has committed or rolled back */
  ended: Promise<unknown>;
}
const transactions = new Map<number, OpenTransaction>();
const unlistens = new Map<string, () => Promise<void>>();
const ROLLED_BACK = Symbol('rolled back');

function begin(client: PGlite, id: number): Promise<OpenTransaction> {
  return new Promise((resolve, reject) => {
    let opened: OpenTransaction | undefined;
    const ended = client.transaction(
      (tx) =>
        new Promise<void>((commit, rollBack) => {
          opened = { tx, end: (rollback) => (rollback ? rollBack(ROLLED_BACK) : commit()), ended };
          transactions.set(id, opened);
          resolve(opened);
        }),
    );
    // BEGIN itself failed: the transaction never opened
    ended.catch((err: unknown) => {
      if (!opened) reject(err);
    });
  });
}

async function handle(client: PGlite, m: ThreadRequest): Promise<ThreadReply | undefined> {
  switch (m.op) {
    case 'query': {
      for (const type of m.textTypes ?? []) client.parsers[type] = (value: string) => value;
      const runner = m.tx === undefined ? client : transactions.get(m.tx)?.tx;
      if (!runner) throw new Error('Transaction is closed');
      const result = await runner.query<Record<string, unknown>>(m.text, m.params, { rowMode: m.rowMode, paramTypes: m.paramTypes });
      return { id: m.id, result };
    }
    case 'begin':
      await begin(client, m.tx);
      return { id: m.id, result: null };
    case 'commit':
    case 'rollback': {
      const open = transactions.get(m.tx);
      if (!open) throw new Error('Transaction is closed');
      transactions.delete(m.tx);
      open.end(m.op === 'rollback');
      await open.ended.catch((err: unknown) => {
        if (err !== ROLLED_BACK) throw err;
      });
      return { id: m.id, result: null };
    }
    case 'listen':
      if (!unlistens.has(m.channel)) unlistens.set(m.channel, await client.listen(m.channel, (payload) => send({ notify: m.channel, payload })));
      return { id: m.id, result: null };
    case 'unlisten':
      await unlistens.get(m.channel)?.();
      unlistens.delete(m.channel);
      return { id: m.id, result: null };
    case 'close':
      await client.close();
      return { id: m.id, result: null };
  }
}

try {
  const client = await openPglite({ ...options, loadDataDir: options.loadDataDir ? new Blob([options.loadDataDir]) : undefined });
  port.on('message', (m: ThreadRequest) => {
    handle(client, m).then(
      (reply) => reply && send(reply),
      (err: unknown) => send({ id: m.id, error: threadError(err) }),
    );
  });
  send({ ready: true });
} catch (err) {
  send({ ready: false, error: threadError(err) });
}
