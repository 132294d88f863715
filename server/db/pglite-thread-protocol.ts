import type { Results } from '@electric-sql/pglite';

/**
 * The messages between the serving thread and the thread that runs PGlite (pglite-thread.ts and
 * pglite-worker.ts). Each request carries an id its reply answers; notifications come unasked.
 */

/** How the database thread opens PGlite: what `openDatabase` would give `new PGlite` on the serving thread. */
export interface PgliteThreadOptions {
  /** the data directory (absolute), or undefined for a database in memory */
  dataDir: string | undefined;
  /** a dumped data directory (a migrated template) to start from, as bytes */
  loadDataDir: ArrayBuffer | undefined;
  /** PostgreSQL settings, `-c name=value` each */
  settings: Record<string, string>;
  /** keep parameterised statements prepared (streamlineQueries) */
  prepare: boolean;
}

export type ThreadRequest =
  | {
      op: 'query';
      id: number;
      /** the transaction it belongs to, or undefined for a statement of its own */
      tx: number | undefined;
      text: string;
      params: unknown[] | undefined;
      rowMode: 'array' | 'object' | undefined;
      paramTypes: number[] | undefined;
      /** types whose values are to stay the text PostgreSQL sent (the parsers drizzle gives every query) */
      textTypes: number[] | undefined;
    }
  | { op: 'begin' | 'commit' | 'rollback'; id: number; tx: number }
  | { op: 'listen' | 'unlisten'; id: number; channel: string }
  | { op: 'close'; id: number };

/** What a database error carried: its message and every plain field (code, detail, constraint, …). */
export interface ThreadError {
  name: string;
  message: string;
  stack: string | undefined;
  fields: Record<string, string | number | boolean | null>;
}

export type ThreadReply =
  | { id: number; result: Results | null }
  | { id: number; error: ThreadError }
  | { notify: string; payload: string }
  | { ready: true }
  | { ready: false; error: ThreadError };

/** An error as it can cross threads: functions and objects among its fields (a query's options) stay behind. */
export function threadError(err: unknown): ThreadError {
  const e = err instanceof Error ? err : new Error(String(err));
  const fields: ThreadError['fields'] = {};
  for (const [key, value] of Object.entries(e)) {
    if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') fields[key] = value;
  }
  return { name: e.name, message: e.message, stack: e.stack, fields };
}

/** The error again on the other side, with the same message, name and fields (`code` is what sqlState reads). */
export function errorFromThread(e: ThreadError): Error {
  const err = Object.assign(new Error(e.message), e.fields);
  err.name = e.name;
  if (e.stack) err.stack = e.stack;
  return err;
}
