import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { thisSystem } from '../../test/support/chromium';
import { startRedisServer, type RedisServer } from '../../test/support/redis-server';
import { locateProgram } from '../../test/support/scale-out-tools';
import { freePort } from '../../test/support/redis-server';
import { answers200, Service } from './processes';

/** The repository root: app instances run `server/main.ts` from here. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

export interface StackOptions {
  /** the PostgreSQL server, as a URL to any database on it (postgres://postgres@127.0.0.1:5432/test) */
  serverUrl: string;
  /** our own database on it, dropped and created again at start, dropped at teardown */
  database: string;
  /** web instances behind the proxy */
  webInstances: number;
  log: (line: string) => void;
}

export interface AppInstance {
  name: string;
  role: 'web' | 'worker';
  /** http://127.0.0.1:<port> for a web instance (reached directly, not through the proxy) */
  url?: string;
  service: Service;
}

/** A Debian program the stack runs (pgbouncer and haproxy live in /usr/sbin), or one line saying how to get it. */
function program(name: string): string {
  const found = locateProgram({ isExecutable: thisSystem().isExecutable, searchPath: (process.env.PATH ?? '').split(path.delimiter).filter(Boolean) }, name);
  if (!found) throw new Error(`${name} is not installed: apt-get install ${name} (npm run setup:scale-out does it when run as root)`);
  return found;
}

/** the teardowns of the stacks still up, for a signal handler */
const active = new Set<() => Promise<void>>();

/** Tears down every stack still up (Ctrl-C). */
export async function tearDownAll(): Promise<void> {
  await Promise.all([...active].map((t) => t()));
}

/** `serverUrl` pointing at database `name` instead. */
function withDatabase(serverUrl: string, name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function adminQuery(serverUrl: string, sql: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

function tcpOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port }, () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/**
 * pgbouncer in **session** pooling: the app takes a session-level advisory lock around its
 * migrations (server/db/client.ts: lock, migrate on other pooled connections, unlock), which in
 * transaction pooling would be taken and released on whichever server connection each statement
 * lands on (the unlock misses, the lock stays with an idle server connection, the next start
 * waits until pgbouncer retires it, an hour by default); LISTEN, for a
 * dispatcher woken by NOTIFY, needs the same server connection for as long as it listens. Session
 * pooling still caps and reuses the server connections (node-postgres pools close idle clients).
 */
export function pgbouncerConfig(o: { serverUrl: string; database: string; port: number; authFile: string; runAsUser?: string }): string {
  const server = new URL(o.serverUrl);
  const target = [
    `host=${server.hostname}`,
    `port=${server.port || '5432'}`,
    `dbname=${o.database}`,
    `user=${decodeURIComponent(server.username || 'postgres')}`,
    ...(server.password ? [`password=${decodeURIComponent(server.password)}`] : []),
  ].join(' ');
  return [
    '[databases]',
    `${o.database} = ${target}`,
    '',
    '[pgbouncer]',
    'listen_addr = 127.0.0.1',
    `listen_port = ${o.port}`,
    // no Unix socket: several stacks may run on one machine
    'unix_socket_dir =',
    'auth_type = trust',
    `auth_file = ${o.authFile}`,
    'pool_mode = session',
    // three instances × node-postgres pools of 10, plus the seeding and the checks
    'max_client_conn = 200',
    'default_pool_size = 50',
    'ignore_startup_parameters = extra_float_digits,options',
    'server_reset_query = DISCARD ALL',
    'log_connections = 0',
    'log_disconnections = 0',
    ...(o.runAsUser ? [`user = ${o.runAsUser}`] : []),
    '',
  ].join('\n');
}

/** haproxy: round robin over the web instances, each checked on /healthz every second; the answering instance is named in `X-Served-By`. */
export function haproxyConfig(o: { port: number; web: { name: string; port: number }[] }): string {
  return [
    'global',
    '  maxconn 2000',
    'defaults',
    '  mode http',
    '  option forwardfor',
    '  timeout connect 2s',
    '  timeout client 60s',
    '  timeout server 60s',
    // a refused connection (instance down, not yet marked) is tried again on another instance;
    // a request already sent is never replayed by the proxy (the client retries with its Idempotency-Key)
    '  retries 2',
    '  option redispatch',
    'frontend site',
    `  bind 127.0.0.1:${o.port}`,
    '  default_backend web',
    'backend web',
    '  balance roundrobin',
    '  option httpchk GET /healthz',
    '  http-check expect status 200',
    '  default-server inter 1s fall 2 rise 2',
    // a killed instance refuses the check's connection at once; a busy one may answer /healthz slowly:
    // with the default (the 1 s interval) an overloaded but alive instance was marked down too, leaving none (503)
    '  timeout check 5s',
    '  http-response set-header X-Served-By %[srv_name]',
    ...o.web.map((w) => `  server ${w.name} 127.0.0.1:${w.port} check`),
    '',
  ].join('\n');
}

/**
 * The whole scale-out stack on this machine: our own database on the PostgreSQL server reached
 * through pgbouncer, our own redis-server, the app's instances (started by `startInstances`
 * once the database is seeded) and haproxy in front of the web instances. `teardown()` stops
 * everything and drops the database; it is safe to call twice and after a failed start.
 */
export async function createStack(options: StackOptions) {
  const { log } = options;
  const dir = mkdtempSync(path.join(tmpdir(), 'daichao-scaleout-'));
  const dataDir = path.join(dir, 'data');
  const cleanups: (() => Promise<void>)[] = [];
  const instances: AppInstance[] = [];
  let torn = false;

  const teardown = async () => {
    if (torn) return;
    torn = true;
    active.delete(teardown);
    for (const cleanup of cleanups.reverse()) await cleanup().catch((err: unknown) => log(`teardown: ${(err as Error).message}`));
    rmSync(dir, { recursive: true, force: true });
  };

  active.add(teardown);
  try {
    // Redis of our own (sessions, rate limits, cache, job locks), nothing persisted
    const redis: RedisServer = await startRedisServer();
    cleanups.push(() => redis.stop());
    log(`redis-server on ${redis.url}`);

    // our own database, fresh at every run
    await adminQuery(options.serverUrl, `drop database if exists ${options.database} with (force)`);
    await adminQuery(options.serverUrl, `create database ${options.database}`);
    cleanups.push(() => adminQuery(options.serverUrl, `drop database if exists ${options.database} with (force)`));
    const directUrl = withDatabase(options.serverUrl, options.database);

    // pgbouncer (it refuses to run as root: it switches to the postgres user then, which must read its files)
    const isRoot = process.getuid?.() === 0;
    chmodSync(dir, 0o755);
    const authFile = path.join(dir, 'pgbouncer-users.txt');
    writeFileSync(authFile, `"${decodeURIComponent(new URL(options.serverUrl).username || 'postgres')}" ""\n`, { mode: 0o644 });
    const bouncerPort = await freePort();
    const bouncerIni = path.join(dir, 'pgbouncer.ini');
    writeFileSync(
      bouncerIni,
      pgbouncerConfig({ serverUrl: options.serverUrl, database: options.database, port: bouncerPort, authFile, runAsUser: isRoot ? 'postgres' : undefined }),
      { mode: 0o644 },
    );
    const pgbouncer = new Service('pgbouncer', program('pgbouncer'), [bouncerIni]);
    pgbouncer.start();
    cleanups.push(() => pgbouncer.stop());
    const pooled = new URL(directUrl);
    pooled.host = `127.0.0.1:${bouncerPort}`;
    const pooledUrl = pooled.toString();
    await pgbouncer.waitReady(() => tcpOpen(bouncerPort), 15_000);
    await pgbouncer.waitReady(async () => {
      const client = new pg.Client({ connectionString: pooledUrl });
      await client.connect();
      await client.query('select 1');
      await client.end();
      return true;
    }, 15_000);
    log(`pgbouncer (session pooling) on 127.0.0.1:${bouncerPort} → ${options.database}`);

    const webPorts = await Promise.all(Array.from({ length: options.webInstances }, () => freePort()));
    const proxyPort = await freePort();
    const proxyUrl = `http://127.0.0.1:${proxyPort}`;

    // what every instance shares: the secrets (a session signed by one is read by the other), the data directory, Redis and its prefix
    const shared = {
      NODE_ENV: 'development',
      HOST: '127.0.0.1',
      DATA_DIR: dataDir,
      DATABASE_URL: pooledUrl,
      REDIS_URL: redis.url,
      REDIS_PREFIX: `so-${randomBytes(3).toString('hex')}:`,
      SESSION_SECRET: randomBytes(32).toString('hex'),
      PII_KEY: `so1:${randomBytes(32).toString('base64')}`,
      SEED_DEMO: 'never',
      MFA_REQUIRED: 'false',
      TRUST_PROXY: '1',
      PUBLIC_URL: proxyUrl,
      // every borrower comes from this one address through the proxy
      LOGIN_RATE_LIMIT: '1000',
      REGISTER_RATE_LIMIT: '1000',
      FRAUD_MAX_APPLICATIONS_PER_DAY: '1000',
    };
    const instanceEnv = (role: 'web' | 'worker', port: number): NodeJS.ProcessEnv => {
      const env: NodeJS.ProcessEnv = { ...process.env };
      // nothing of the caller's own configuration leaks in (a search server, Stripe, an SMS gateway)
      for (const key of ['ELASTICSEARCH_URL', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'STRIPE_API_HOST', 'SMS_GATEWAY_URL', 'SMS_GATEWAY_SECRET', 'VITEST', 'VITEST_POOL_ID', 'VITEST_WORKER_ID']) {
        delete env[key];
      }
      return { ...env, ...shared, ROLE: role, PORT: String(port), LOG_LEVEL: role === 'worker' ? 'info' : 'warn' };
    };

    const makeInstance = (name: string, role: 'web' | 'worker', port: number): AppInstance => ({
      name,
      role,
      url: role === 'web' ? `http://127.0.0.1:${port}` : undefined,
      // node itself (not the tsx CLI, which would run the app in a second process a SIGKILL would orphan)
      service: new Service(name, process.execPath, ['--import', 'tsx', 'server/main.ts'], { cwd: REPO_ROOT, env: instanceEnv(role, port) }),
    });
    instances.push(makeInstance('worker', 'worker', 0));
    webPorts.forEach((port, i) => instances.push(makeInstance(`web${i + 1}`, 'web', port)));
    cleanups.push(async () => {
      await Promise.all(instances.map((i) => i.service.stop()));
    });

    const waitInstance = async (instance: AppInstance) => {
      if (instance.url) await instance.service.waitReady(() => answers200(`${instance.url}/healthz`), 180_000);
      else await instance.service.waitReady(async () => instance.service.tail(200).includes('worker role'), 180_000);
    };

    /** Starts (or starts again) one instance and waits until it is ready. */
    const startInstance = async (instance: AppInstance) => {
      if (torn) throw new Error(`${instance.name} not started: the stack is torn down`);
      instance.service.start();
      await waitInstance(instance);
    };

    /** Starts every instance at once (they migrate one at a time under the advisory lock) and haproxy in front of the web ones. */
    const startInstances = async () => {
      await Promise.all(instances.map((i) => startInstance(i)));
      log(`instances up: ${instances.map((i) => `${i.name} (pid ${i.service.pid}${i.url ? `, ${i.url}` : ''})`).join(', ')}`);
      const cfg = path.join(dir, 'haproxy.cfg');
      writeFileSync(cfg, haproxyConfig({ port: proxyPort, web: instances.filter((i) => i.url).map((i) => ({ name: i.name, port: Number(new URL(i.url!).port) })) }));
      const haproxy = new Service('haproxy', program('haproxy'), ['-f', cfg, '-db']);
      haproxy.start();
      cleanups.push(() => haproxy.stop());
      await haproxy.waitReady(() => answers200(`${proxyUrl}/healthz`), 15_000);
      log(`haproxy (round robin, /healthz every 1 s) on ${proxyUrl}`);
    };

    return { dir, directUrl, pooledUrl, redisUrl: redis.url, redisPrefix: shared.REDIS_PREFIX, piiKey: shared.PII_KEY, proxyUrl, instances, startInstances, startInstance, teardown };
  } catch (err) {
    await teardown();
    throw err;
  }
}
export type Stack = Awaited<ReturnType<typeof createStack>>;
