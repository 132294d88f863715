import path from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import type { PgDatabase, PgDialect, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { sql, type Query, type SQL, type SQLWrapper } from 'drizzle-orm';
import { ConfigError } from '../config';
import { projectRoot } from '../lib/project-root';
import { prepareStatementsOn, preparedStatementsFromEnv } from './prepared-statements';
import { openPglite } from './pglite-open';
import { PgliteThread } from './pglite-thread';
import { notifySelect, renderTogether } from './write-batch-sql';

/**
 * A database handle or an open transaction: repositories accept either. Made without drizzle's
 * relational schema (nothing reads through `db.query`): with one, every transaction builds a
 * relational query builder for each of the 126 tables before its first statement.
 */
export type Database = PgDatabase<PgQueryResultHKT>;

export const migrationsFolder = path.join(projectRoot, 'server/db/migrations');

const MIGRATION_LOCK = 4_711_2026;

export interface DatabaseHandle {
  db: Database;
  driver: 'pglite' | 'pg';
  /** applies the migrations in `folder` (default: the checked-in ones) not applied yet */
  migrate(folder?: string): Promise<void>;
  ping(): Promise<void>;
  close(): Promise<void>;
}

/** Connections per process to a PostgreSQL server: `DATABASE_POOL_MAX` (a whole number from 1 to 1000), 10 when unset. */
export function poolMaxFromEnv(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.DATABASE_POOL_MAX?.trim();
  if (!raw) return 10;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1000) throw new ConfigError(`Invalid configuration:\n  DATABASE_POOL_MAX: a whole number from 1 to 1000, not "${raw}"`);
  return n;
}

/**
 * PGlite's buffer cache (PostgreSQL's shared_buffers; initdb writes 128MB). PGlite is one process
 * with one connection, its files sit in the operating system's page cache anyway, and the
 * buffers are paged in at start whether used or not: 128MB cost ~125 MB of RSS for a demo
 * database of ~60 MB on disk. 16MB keeps the embedded default under 300 MB; PGLITE_SHARED_BUFFERS
 * raises it for a larger embedded database (docs/operations.md, "Start and memory").
 */
export const DEFAULT_PGLITE_SHARED_BUFFERS = '16MB';

/**
 * PostgreSQL settings PGlite starts with, on top of its own defaults (which already turn fsync
 * off). `wal_init_zero=off`: a new 16 MB WAL segment is created by writing its last byte instead
 * of 16 MB of zeroes. PGlite runs every statement on the serving thread, so the zero-fill stalled
 * every request behind the statement that crossed into a new segment (40–90 ms, once per ~16 MB
 * of WAL: every ~7,500 search events); zeroes only help a file system reserve space for fsync'd
 * WAL, and PGlite does not fsync. Measured by `npm run bench:pglite-writes`.
 */
export const PGLITE_SETTINGS: Readonly<Record<string, string>> = { wal_init_zero: 'off' };

/**
 * How V8 compiles PGlite's WebAssembly (9 MB: all of PostgreSQL). `optimizing` is V8's default:
 * every function first with Liftoff, the baseline compiler, then the functions that run often
 * again with TurboFan in the background. `baseline` keeps Liftoff's code only: it saves ~60 MB of
 * resident memory (TurboFan's compilations and their code; measured with `npm run bench:startup`)
 * at the cost of slower code in the functions TurboFan would have optimised, which a demo-sized
 * database hardly notices (figures in docs/benchmarks.md, "Start and memory"). The choice holds
 * for the whole process and must be made before the first PGlite is opened.
 */
export type PgliteWasmCompiler = 'baseline' | 'optimizing';

function useWasmCompiler(compiler: PgliteWasmCompiler): void {
  setFlagsFromString(compiler === 'baseline' ? '--liftoff-only' : '--no-liftoff-only');
}

/** Made by the build (scripts/build.mjs): PGlite's data directory after initdb and the migrations. */
export const pgliteTemplateFile = path.join(projectRoot, 'dist/pglite-template.tar');

/**
 * The build's migrated template, for a data directory PGlite has never used (no PG_VERSION), when
 * it is newer than every migration; otherwise undefined (PGlite then runs initdb, and `migrate`
 * every migration). A template older than some migration still works, but is not trusted to be
 * a prefix of the migrations now checked in.
 */
export function freshTemplateFor(dir: string, template = pgliteTemplateFile): Blob | undefined {
  if (existsSync(path.join(dir, 'PG_VERSION')) || !existsSync(template)) return undefined;
  const made = statSync(template).mtimeMs;
  const current = readdirSync(migrationsFolder, { recursive: true }).every((name) => statSync(path.join(migrationsFolder, String(name))).mtimeMs <= made);
  return current ? new Blob([readFileSync(template)]) : undefined;
}

/**
 * PostgreSQL server when `url` is given, otherwise PGlite in `dir` (or in memory when dir is undefined).
 * A `dir` never used starts from the build's migrated template when there is a current one.
 * `loadDataDir` starts PGlite from a data directory dumped earlier (a migrated template), instead of an empty one.
 * `sharedBuffers` sets PGlite's shared_buffers (a PostgreSQL size such as `16MB`); `wasmCompiler`
 * how V8 compiles PGlite (see PgliteWasmCompiler; unset: V8's own default, as tests and benches run it).
 */
export async function openDatabase(options: {
  url?: string;
  dir?: string;
  loadDataDir?: Blob;
  poolMax?: number;
  /** prepare parameterised statements once per server connection (default: DATABASE_PREPARED_STATEMENTS, on) */
  preparedStatements?: boolean;
  sharedBuffers?: string;
  wasmCompiler?: PgliteWasmCompiler;
  /** the migrated template a never-used `dir` starts from (default: the build's) */
  template?: string;
  /** PGlite's PostgreSQL settings (default: PGLITE_SETTINGS; a benchmark passes PGlite's own to compare) */
  pgliteSettings?: Readonly<Record<string, string>>;
  /**
   * Where PGlite runs: on a thread of its own (the default: see PgliteThread), or on the caller's
   * (`caller`: for what works on PGlite's own object, its tests and the one-statement benchmark).
   */
  pgliteThread?: 'own' | 'caller';
}): Promise<DatabaseHandle> {
  if (options.url) {
    // the PostgreSQL driver is loaded only when a server is used (the embedded default never needs it)
    const [{ default: pg }, { drizzle: drizzlePg }, { migrate: migratePg }] = await Promise.all([
      import('pg'),
      import('drizzle-orm/node-postgres'),
      import('drizzle-orm/node-postgres/migrator'),
    ]);
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolMax ?? poolMaxFromEnv() });
    // an idle client can lose its connection (server restart, failover); the pool replaces it
    pool.on('error', () => undefined);
    if (options.preparedStatements ?? preparedStatementsFromEnv()) pool.on('connect', (client) => prepareStatementsOn(client));
    // NUMERIC stays a string on both drivers (PGlite does the same), so money never becomes a float.
    const db = drizzlePg(pool) as unknown as Database;
    return {
      db,
      driver: 'pg',
      // several instances may start at once: one migrates while the others wait on the lock
      migrate: async (folder = migrationsFolder) => {
        const lock = await pool.connect();
        try {
          await lock.query('select pg_advisory_lock($1)', [MIGRATION_LOCK]);
          await migratePg(drizzlePg(pool), { migrationsFolder: folder });
        } finally {
          await lock.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK]).catch(() => undefined);
          lock.release();
        }
      },
      ping: async () => void (await pool.query('select 1')),
      close: () => pool.end(),
    };
  }
  if (options.dir) mkdirSync(options.dir, { recursive: true });
  if (options.wasmCompiler) useWasmCompiler(options.wasmCompiler);
  const loadDataDir = options.loadDataDir ?? (options.dir ? freshTemplateFor(options.dir, options.template) : undefined);
  const settings = { shared_buffers: options.sharedBuffers ?? DEFAULT_PGLITE_SHARED_BUFFERS, ...(options.pgliteSettings ?? PGLITE_SETTINGS) };
  const prepare = options.preparedStatements ?? preparedStatementsFromEnv();
  const client =
    options.pgliteThread === 'caller'
      ? await openPglite({ dataDir: options.dir, loadDataDir, settings, prepare })
      : new PgliteThread({ dataDir: options.dir && path.resolve(options.dir), loadDataDir: await loadDataDir?.arrayBuffer(), settings, prepare });
  await client.waitReady;
  const db = drizzlePglite(client as PGlite) as unknown as Database;
  return {
    db,
    driver: 'pglite',
    migrate: (folder = migrationsFolder) => migratePglite(drizzlePglite(client as PGlite), { migrationsFolder: folder }),
    ping: async () => void (await db.execute(sql`select 1`)),
    close: () => client.close(),
  };
}

/** The SQLSTATE of a database error, whether the driver's own or wrapped by Drizzle. */
export function sqlState(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; current && depth < 5; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

export const UNIQUE_VIOLATION = '23505';

/** A NOTIFY sent with writes: delivered when (and only if) their transaction commits. */
export interface Notification {
  channel: string;
  payload: string;
}

/**
 * Several writes whose values are all known beforehand (multi-row inserts), and the NOTIFYs that
 * announce them, sent as one statement and one round trip: `with w1 as (…), w2 as (…) <the last
 * write, or the NOTIFYs>`. PostgreSQL runs each data-modifying part exactly once, and checks
 * foreign keys between them at the end of the statement, so a parent and its children may go
 * together. Only writes go in `writes` (a SELECT there would never run: PostgreSQL skips an
 * unreferenced SELECT in a WITH); NOTIFYs go in `notifications`, the statement's own SELECT.
 * Results are not returned: for writes that need nothing back.
 */
export async function executeTogether(db: Database, writes: SQLWrapper[], notifications: Notification[] = []): Promise<void> {
  const query = togetherQuery(db, writes, notifications);
  if (query) await executeQuery(db, query);
}

/** `executeTogether`'s statement, rendered (without drizzle's SQL tree where it can be: write-batch-sql.ts); undefined when there is nothing to write. */
export function togetherQuery(db: Database, writes: SQLWrapper[], notifications: Notification[] = []): Query | undefined {
  if (writes.length === 0 && notifications.length === 0) return undefined;
  const { dialect } = drizzleInternals(db);
  return renderTogether(dialect, writes, notifications) ?? dialect.sqlToQuery(togetherByDrizzle(writes, notifications));
}

/** Runs a rendered query on `db` (the database or an open transaction) as `db.execute` runs one; the statement goes to the driver at the call, before the first await. */
export function executeQuery(db: Database, query: Query): Promise<unknown> {
  return drizzleInternals(db).session.prepareQuery(query, undefined, undefined, false).execute();
}

/**
 * What drizzle keeps inside a database handle or transaction (not in its public types): the
 * dialect that renders SQL, and the session that runs an already rendered query on the driver.
 */
export function drizzleInternals(db: Database): {
  dialect: PgDialect;
  session: {
    prepareQuery(query: Query, fields: undefined, name: undefined, arrayMode: boolean): { execute(): Promise<unknown> };
    /** the driver's client (a node-postgres Pool for a handle on the server), and what a session over another client of it needs */
    client: unknown;
    schema: unknown;
    options: unknown;
  };
} {
  return db as unknown as ReturnType<typeof drizzleInternals>;
}

/** `executeTogether`'s statement as drizzle's SQL: what `renderTogether` renders faster, and the way for what it cannot. */
export function togetherByDrizzle(writes: SQLWrapper[], notifications: Notification[]): SQL {
  // getSQL(): a query builder put into sql`` as it is comes wrapped in parentheses (a subquery)
  const parts = writes.map((w) => w.getSQL());
  const last = notifications.length ? notifySelect(notifications) : parts.pop()!;
  const before = parts.map((w, i) => sql`${sql.identifier(`w${i + 1}`)} as (${w})`);
  return before.length ? sql`with ${sql.join(before, sql`, `)} ${last}` : last;
}

/** Rows of a raw SQL query, on either driver (both return `{ rows }`). */
export async function queryRows<T = Record<string, unknown>>(db: Database, query: SQLWrapper): Promise<T[]> {
  const result = (await db.execute(query)) as unknown as { rows: T[] };
  return result.rows;
}
