import { createHash } from 'node:crypto';
import type { ClientBase } from 'pg';
import { LRUCache } from 'lru-cache';
import { ConfigError } from '../config';

/**
 * Statement texts longer than this run unnamed: bulk inserts of many rows have too many shapes
 * to keep (a write batch of a multi-apply is ~5 KB).
 */
export const MAX_PREPARED_TEXT = 16_384;
/** Statements kept prepared per connection; texts past this run unnamed (parsed and planned each time, as before). */
export const MAX_PREPARED_PER_CONNECTION = 256;

/**
 * `DATABASE_PREPARED_STATEMENTS`: `on` (the default) prepares each parameterised statement once per
 * connection; `off` for a pooler in transaction mode (pgbouncer before 1.21, or without
 * `max_prepared_statements`), where a connection's prepared statements do not follow its client.
 */
export function preparedStatementsFromEnv(env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = env.DATABASE_PREPARED_STATEMENTS?.trim().toLowerCase();
  if (!raw || raw === 'on') return true;
  if (raw === 'off') return false;
  throw new ConfigError(`Invalid configuration:\n  DATABASE_PREPARED_STATEMENTS: on or off, not "${env.DATABASE_PREPARED_STATEMENTS}"`);
}

// one name per text for the whole process: the hash is computed once per text, not per call
const names = new LRUCache<string, string>({ max: 4_096 });
function nameOf(text: string): string {
  let name = names.get(text);
  if (name === undefined) names.set(text, (name = `dc_${createHash('sha1').update(text).digest('base64url')}`));
  return name;
}

export interface StatementLimits {
  perConnection?: number;
  maxText?: number;
}

/**
 * The statements one connection keeps prepared: `slot(text)` is the name to run a parameterised
 * statement under (after a hash of its text), or undefined to run it unnamed (a longer text than
 * MAX_PREPARED_TEXT, or past the per-connection cap); `keep(name)` records that the connection
 * has prepared it.
 */
export function statementSlots(limits: StatementLimits = {}) {
  const perConnection = limits.perConnection ?? MAX_PREPARED_PER_CONNECTION;
  const maxText = limits.maxText ?? MAX_PREPARED_TEXT;
  const kept = new Set<string>();
  return {
    slot(text: string): string | undefined {
      if (text.length > maxText) return undefined;
      const name = nameOf(text);
      if (kept.has(name) || kept.size < perConnection) return name;
      return undefined;
    },
    keep: (name: string) => void kept.add(name),
  };
}

type QueryConfig = { text?: unknown; values?: unknown; name?: unknown; submit?: unknown };
type Query = (...args: unknown[]) => unknown;

/**
 * Names each parameterised statement of this connection after a hash of its text, so node-postgres
 * prepares it once per connection (one Parse) and PostgreSQL keeps its plan: every later run only
 * binds and executes. Measured on the applying bench, this took the PostgreSQL server's CPU per
 * multi-apply from 7.2–8.0 ms to 4.3–4.7 ms (docs/benchmarks.md). A statement without parameters
 * (BEGIN, COMMIT, DDL), a longer one than MAX_PREPARED_TEXT, or one past the per-connection cap runs
 * unnamed as before. The server re-plans a kept statement by itself when a table it reads changes.
 */
export function prepareStatementsOn(client: ClientBase, limits: StatementLimits = {}): void {
  const slots = statementSlots(limits);
  // node-postgres prepares a named statement on its first run: kept from then on
  const slot = (text: string): string | undefined => {
    const name = slots.slot(text);
    if (name !== undefined) slots.keep(name);
    return name;
  };
  // the driver's own query, looked up at each call (a wrapper put on the prototype later still runs)
  const proto = Object.getPrototypeOf(client) as { query: Query };
  const query: Query = (...args) => proto.query.apply(client, args);
  (client as unknown as { query: Query }).query = (config: unknown, values?: unknown, ...rest: unknown[]) => {
    const params = (config as QueryConfig | undefined)?.values ?? values;
    const hasParams = Array.isArray(params) && params.length > 0;
    if (hasParams && typeof config === 'string') {
      const name = slot(config);
      if (name) return query({ text: config, values: params, name }, undefined, ...rest);
    } else if (hasParams && config && typeof config === 'object') {
      const c = config as QueryConfig;
      // a Query or cursor object submits itself; a statement already named keeps its name
      if (c.submit === undefined && c.name === undefined && typeof c.text === 'string') {
        const name = slot(c.text);
        if (name) return query({ ...c, name }, values, ...rest);
      }
    }
    return query(config, values, ...rest);
  };
}
