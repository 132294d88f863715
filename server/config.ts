import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';

/**
 * All configuration comes from the environment and is parsed here, once.
 * A bad value stops start-up with a message naming the variable.
 */
const emptyToUndefined = (v: unknown) => (v === '' ? undefined : v);
const optionalUrl = z.preprocess(emptyToUndefined, z.url().optional());
const optionalString = z.preprocess(emptyToUndefined, z.string().min(1).optional());

const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  HOST: z.string().default('0.0.0.0'),
  ROLE: z.enum(['web', 'worker', 'all']).default('all'),
  DATA_DIR: z.string().default('./data'),
  DATABASE_URL: optionalUrl,
  REDIS_URL: optionalUrl,
  REDIS_PREFIX: z.string().regex(/^[\w:-]{1,40}$/, 'letters, digits, ":", "-" or "_"').default('dc:'),
  ELASTICSEARCH_URL: optionalUrl,
  SESSION_SECRET: z.preprocess(emptyToUndefined, z.string().min(32, 'must be at least 32 characters').optional()),
  PII_KEY: z.preprocess(
    emptyToUndefined,
    z
      .string()
      .regex(/^([A-Za-z0-9_-]+:)?[A-Za-z0-9+/]{43}=$/, 'must be base64 of 32 bytes, optionally prefixed "keyId:"; several keys separated by commas, newest first')
      .or(z.string().regex(/^(([A-Za-z0-9_-]+:)?[A-Za-z0-9+/]{43}=,)+([A-Za-z0-9_-]+:)?[A-Za-z0-9+/]{43}=$/))
      .optional(),
  ),
  STRIPE_SECRET_KEY: optionalString,
  /** the e-signature service contracts are signed through; only the local one is built in (docs/contracts.md) */
  ESIGN_PROVIDER: z.enum(['local']).default('local'),
  STRIPE_WEBHOOK_SECRET: optionalString,
  STRIPE_API_HOST: optionalString,
  SMS_GATEWAY_URL: optionalUrl,
  SMS_GATEWAY_SECRET: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** `auto` seeds demo data into an empty database; default `auto` in development and test, `never` (and nothing else) in production */
  SEED_DEMO: z.preprocess(emptyToUndefined, z.enum(['auto', 'never']).optional()),
  /** operators and institution admins must set up TOTP; default: on in production */
  MFA_REQUIRED: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).optional()),
  LOGIN_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  FRAUD_MAX_ACCOUNTS_PER_DEVICE: z.coerce.number().int().positive().default(3),
  FRAUD_MAX_APPLICATIONS_PER_DAY: z.coerce.number().int().positive().default(10),
  REGISTER_RATE_LIMIT: z.coerce.number().int().positive().default(10),
  /** uploaded documents (ID photos, income proof): how many files and megabytes one application and one account may hold */
  UPLOAD_MAX_FILES_PER_APPLICATION: z.coerce.number().int().positive().default(20),
  UPLOAD_MAX_MB_PER_APPLICATION: z.coerce.number().int().positive().default(40),
  UPLOAD_MAX_FILES_PER_ACCOUNT: z.coerce.number().int().positive().default(100),
  UPLOAD_MAX_MB_PER_ACCOUNT: z.coerce.number().int().positive().default(200),
  TRUST_PROXY: z.preprocess(emptyToUndefined, z.string().optional()),
  PUBLIC_URL: z.preprocess(
    emptyToUndefined,
    z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL such as https://daichao.example' })
      .refine((u) => {
        if (!URL.canParse(u)) return true; // reported by z.url
        const p = new URL(u);
        return p.pathname === '/' && !p.search && !p.hash && !p.username && !p.password;
      }, 'must be the site origin only, such as https://daichao.example (no path, query or credentials)')
      .optional(),
  ),
  WEBHOOK_ALLOW_LOOPBACK: z.preprocess(emptyToUndefined, z.enum(['true', 'false']).default('false')),
  /** the embedded database's buffer cache (PostgreSQL shared_buffers, e.g. 16MB, 64MB); default server/db/client.ts */
  PGLITE_SHARED_BUFFERS: z.preprocess(emptyToUndefined, z.string().regex(/^[1-9]\d{0,5}(kB|MB|GB)$/, 'a size such as 16MB or 64MB').optional()),
  /** how V8 compiles the embedded database's WebAssembly: baseline (less memory) or optimizing (faster hot paths); server/db/client.ts */
  PGLITE_WASM_COMPILER: z.preprocess(emptyToUndefined, z.enum(['baseline', 'optimizing']).default('baseline')),
});

export type Env = z.infer<typeof envSchema>;

export interface Config {
  env: Env['NODE_ENV'];
  port: number;
  host: string;
  role: Env['ROLE'];
  dataDir: string;
  databaseUrl?: string;
  redisUrl?: string;
  /** prefix of every Redis key, so several deployments can share one Redis */
  redisPrefix: string;
  elasticsearchUrl?: string;
  sessionSecret: string;
  /** PII keys, newest first; the first one encrypts, all of them decrypt. */
  piiKeys: { id: string; key: Buffer }[];
  stripe: { secretKey?: string; webhookSecret?: string; apiHost?: string };
  /** SMS: a gateway when configured, else the outbox table only */
  sms: { gatewayUrl?: string; gatewaySecret?: string };
  logLevel: Env['LOG_LEVEL'];
  seedDemo: boolean;
  rateLimits: { loginPerWindow: number; registerPerWindow: number; windowMs: number };
  trustProxy?: string;
  /** operators and institution admins must use TOTP */
  mfaRequired: boolean;
  risk: { maxAccountsPerDevice: number; maxApplicationsPerDay: number };
  /** the site's origin as people reach it (`https://daichao.example`): every link sent outside the page is built from it, never from the request's Host */
  publicUrl: string;
  /** lead webhooks may target this machine (local testing only; refused in production) */
  webhooks: { allowLoopback: boolean };
  /** uploaded documents: files and bytes per application and per account */
  documentQuotas: { perApplication: { files: number; bytes: number }; perAccount: { files: number; bytes: number } };
  /** ESIGN_PROVIDER */
  esignProvider: 'local';
  /** PGLITE_SHARED_BUFFERS: PGlite's shared_buffers (unset: the default in server/db/client.ts) */
  pgliteSharedBuffers?: string;
  /** PGLITE_WASM_COMPILER: how V8 compiles PGlite (default baseline) */
  pgliteWasmCompiler: 'baseline' | 'optimizing';
}

export class ConfigError extends Error {}

export function parsePiiKeys(value: string): { id: string; key: Buffer }[] {
  return value.split(',').map((part, i) => {
    const [maybeId, maybeKey] = part.includes(':') ? part.split(':') : [`k${i}`, part];
    const key = Buffer.from(maybeKey ?? '', 'base64');
    if (key.length !== 32) throw new ConfigError(`PII_KEY: key ${i + 1} is not 32 bytes`);
    return { id: maybeId ?? `k${i}`, key };
  });
}

/** Development secrets are generated once and kept under DATA_DIR so sessions and encrypted data survive restarts. */
function developmentSecrets(dataDir: string): { sessionSecret: string; piiKey: string } {
  const file = path.join(dataDir, 'dev-secrets.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { sessionSecret: string; piiKey: string };
  mkdirSync(dataDir, { recursive: true });
  const secrets = {
    sessionSecret: randomBytes(32).toString('base64url'),
    piiKey: `dev1:${randomBytes(32).toString('base64')}`,
  };
  writeFileSync(file, JSON.stringify(secrets, null, 2), { mode: 0o600 });
  return secrets;
}

export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const env = parsed.data;
  const dataDir = path.resolve(env.DATA_DIR);
  let sessionSecret = env.SESSION_SECRET;
  let piiKey = env.PII_KEY;
  if (env.SMS_GATEWAY_URL && !env.SMS_GATEWAY_SECRET) {
    throw new ConfigError('Invalid configuration:\n  SMS_GATEWAY_SECRET: required when SMS_GATEWAY_URL is set (requests are signed with it)');
  }
  if (env.NODE_ENV === 'production' && env.SEED_DEMO && env.SEED_DEMO !== 'never') {
    // demo accounts have published passwords: never in production (create the first operator with `npm run create-operator`)
    throw new ConfigError(`Invalid configuration:\n  SEED_DEMO: must be "never" when NODE_ENV=production (got "${env.SEED_DEMO}"); create the first operator with npm run create-operator`);
  }
  if (!sessionSecret || !piiKey) {
    if (env.NODE_ENV === 'production') {
      const missing = [!sessionSecret && 'SESSION_SECRET', !piiKey && 'PII_KEY'].filter(Boolean).join(', ');
      throw new ConfigError(`Invalid configuration:\n  ${missing}: required when NODE_ENV=production`);
    }
    const dev = developmentSecrets(dataDir);
    sessionSecret ??= dev.sessionSecret;
    piiKey ??= dev.piiKey;
  }
  if (env.NODE_ENV === 'production' && !env.PUBLIC_URL) {
    throw new ConfigError('Invalid configuration:\n  PUBLIC_URL: required when NODE_ENV=production (invitation links, SMS and payment return pages are built from it)');
  }
  if (env.NODE_ENV === 'production' && env.WEBHOOK_ALLOW_LOOPBACK === 'true') {
    throw new ConfigError('Invalid configuration:\n  WEBHOOK_ALLOW_LOOPBACK: not allowed when NODE_ENV=production (it lets institutions reach this machine)');
  }
  return {
    env: env.NODE_ENV,
    port: env.PORT,
    host: env.HOST,
    role: env.ROLE,
    dataDir,
    databaseUrl: env.DATABASE_URL,
    redisUrl: env.REDIS_URL,
    redisPrefix: env.REDIS_PREFIX,
    elasticsearchUrl: env.ELASTICSEARCH_URL,
    sessionSecret,
    piiKeys: parsePiiKeys(piiKey),
    esignProvider: env.ESIGN_PROVIDER,
    pgliteSharedBuffers: env.PGLITE_SHARED_BUFFERS,
    pgliteWasmCompiler: env.PGLITE_WASM_COMPILER,
    stripe: { secretKey: env.STRIPE_SECRET_KEY, webhookSecret: env.STRIPE_WEBHOOK_SECRET, apiHost: env.STRIPE_API_HOST },
    sms: { gatewayUrl: env.SMS_GATEWAY_URL, gatewaySecret: env.SMS_GATEWAY_SECRET },
    logLevel: env.LOG_LEVEL,
    seedDemo: (env.SEED_DEMO ?? (env.NODE_ENV === 'production' ? 'never' : 'auto')) === 'auto',
    rateLimits: { loginPerWindow: env.LOGIN_RATE_LIMIT, registerPerWindow: env.REGISTER_RATE_LIMIT, windowMs: 15 * 60_000 },
    trustProxy: env.TRUST_PROXY,
    mfaRequired: env.MFA_REQUIRED ? env.MFA_REQUIRED === 'true' : env.NODE_ENV === 'production',
    risk: { maxAccountsPerDevice: env.FRAUD_MAX_ACCOUNTS_PER_DEVICE, maxApplicationsPerDay: env.FRAUD_MAX_APPLICATIONS_PER_DAY },
    publicUrl: env.PUBLIC_URL ? new URL(env.PUBLIC_URL).origin : `http://localhost:${env.PORT}`,
    webhooks: { allowLoopback: env.WEBHOOK_ALLOW_LOOPBACK === 'true' },
    documentQuotas: {
      perApplication: { files: env.UPLOAD_MAX_FILES_PER_APPLICATION, bytes: env.UPLOAD_MAX_MB_PER_APPLICATION * 1024 * 1024 },
      perAccount: { files: env.UPLOAD_MAX_FILES_PER_ACCOUNT, bytes: env.UPLOAD_MAX_MB_PER_ACCOUNT * 1024 * 1024 },
    },
  };
}
