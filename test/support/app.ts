import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import { createApp } from '../../server/app';
import { loadConfig } from '../../server/config';
import { createContainer, type Container } from '../../server/container';
import type { DatabaseHandle } from '../../server/db/client';
import type { Clock } from '../../server/lib/clock';
import type { Logger } from '../../server/lib/logger';
import { seedDemo } from '../../server/demo/seed-demo';
import { seedFixtures, type Fixtures } from './fixtures';
import { openMigratedPglite } from './database';

export const TEST_PII_KEY = `t1:${randomBytes(32).toString('base64')}`;

/** Which container serves an app, so helpers can read what a person would receive (SMS codes in the outbox). */
export const containerOf = new WeakMap<Express, Container>();

export interface TestApp {
  app: Express;
  container: Container;
  /** the small fixtures; not set when started with the demo data */
  fixtures: Fixtures;
  close(): Promise<void>;
}

/** The real app on a given database (a fresh copy of the migrated PGlite template by default), with small fixtures seeded. */
export async function startTestApp(
  options: {
    database?: DatabaseHandle;
    redisUrl?: string;
    env?: Record<string, string>;
    /** `none`: nothing seeded (a second instance on the database of a first) */
    data?: 'fixtures' | 'demo' | 'none';
    logger?: Logger;
    /** the time every service reads (a TestClock lets a test set it); default the system clock */
    clock?: Clock;
  } = {},
): Promise<TestApp> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'daichao-test-'));
  const config = loadConfig({
    NODE_ENV: 'test',
    DATA_DIR: dataDir,
    LOG_LEVEL: 'silent',
    SESSION_SECRET: randomBytes(32).toString('hex'),
    PII_KEY: TEST_PII_KEY,
    REDIS_URL: options.redisUrl ?? '',
    // a fresh key space per test app, so counters from earlier runs on the same Redis do not leak in
    REDIS_PREFIX: `dc-test-${randomBytes(4).toString('hex')}:`,
    // many people register and log in from one test address; the rate-limit tests set their own limits
    LOGIN_RATE_LIMIT: '1000',
    REGISTER_RATE_LIMIT: '1000',
    ...options.env,
  });
  const database = options.database ?? (await openMigratedPglite());
  const container = await createContainer(config, { database, logger: options.logger, clock: options.clock });
  let fixtures = undefined as unknown as Fixtures;
  if (options.data === 'demo') {
    await seedDemo(container.services);
    await container.services.catalogue.rebuild();
  } else if (options.data !== 'none') {
    fixtures = await seedFixtures(container);
  }
  const app = createApp(container);
  containerOf.set(app, container);
  return {
    app,
    container,
    fixtures,
    close: async () => {
      await container.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
