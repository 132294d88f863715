// One worker process for the two-process scheduler test: opens the given database and Redis,
// runs one job instant through the scheduler and prints the outcome as JSON.
// usage: tsx test/support/job-instance.ts <databaseUrl> <redisUrl> <redisPrefix> <piiKey> <job> <instantIso>
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../../server/config';
import { createContainer } from '../../server/container';

const [databaseUrl, redisUrl, prefix, piiKey, job, instant] = process.argv.slice(2);
const config = loadConfig({
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  DATA_DIR: mkdtempSync(path.join(tmpdir(), 'daichao-worker-')),
  DATABASE_URL: databaseUrl,
  REDIS_URL: redisUrl,
  REDIS_PREFIX: prefix,
  PII_KEY: piiKey,
  SESSION_SECRET: randomBytes(32).toString('hex'),
});
const container = await createContainer(config);
const result = await container.services.scheduler.runInstant(job!, new Date(instant!), 'schedule');
process.stdout.write(`${JSON.stringify({ pid: process.pid, status: result.status, runId: result.run?.id ?? null })}\n`);
await container.close();
process.exit(0);
