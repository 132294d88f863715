import path from 'node:path';
import { connectSharedState, type SharedState } from './adapters/redis';
import type { Config } from './config';
import { openDatabase, type DatabaseHandle } from './db/client';
import { createLogger, type Logger } from './lib/logger';
import { PiiCipher } from './lib/pii';
import { AccountsService } from './modules/accounts';
import { ApplicationsService } from './modules/applications';
import { AuditService } from './modules/audit';
import { CatalogueService } from './modules/catalogue';
import { IdempotencyService } from './modules/idempotency';
import { InstitutionsService } from './modules/institutions';
import { SettlementService } from './modules/settlement';

export interface Services {
  accounts: AccountsService;
  institutions: InstitutionsService;
  catalogue: CatalogueService;
  applications: ApplicationsService;
  settlement: SettlementService;
  audit: AuditService;
  idempotency: IdempotencyService;
}

export interface HealthCheck {
  name: 'database' | 'redis' | 'search';
  check(): Promise<void>;
}

export interface Container {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  shared: SharedState;
  pii: PiiCipher;
  services: Services;
  health: HealthCheck[];
  close(): Promise<void>;
}

export function createServices(database: DatabaseHandle, pii: PiiCipher): Services {
  const db = database.db;
  const audit = new AuditService(db);
  const settlement = new SettlementService(db);
  const catalogue = new CatalogueService(db);
  return {
    accounts: new AccountsService(db, pii),
    institutions: new InstitutionsService(db),
    catalogue,
    applications: new ApplicationsService(db, pii, catalogue, settlement, audit),
    settlement,
    audit,
    idempotency: new IdempotencyService(db),
  };
}

/** Wires adapters → services once. Opens the database and Redis; runs migrations. */
export async function createContainer(
  config: Config,
  overrides: { database?: DatabaseHandle; shared?: SharedState; logger?: Logger } = {},
): Promise<Container> {
  const logger = overrides.logger ?? createLogger(config.logLevel);
  const database =
    overrides.database ??
    (await openDatabase({ url: config.databaseUrl, dir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite') }));
  await database.migrate();
  const shared = overrides.shared ?? (await connectSharedState(config.redisUrl));
  const pii = new PiiCipher(config.piiKeys);
  const services = createServices(database, pii);
  const health: HealthCheck[] = [
    { name: 'database', check: () => database.ping() },
    { name: 'redis', check: () => shared.ping() },
    {
      name: 'search',
      check: async () => {
        if (!config.elasticsearchUrl) return; // in-process search lives in this process
        const res = await fetch(new URL('/_cluster/health', config.elasticsearchUrl), { signal: AbortSignal.timeout(2000) });
        if (!res.ok) throw new Error(`elasticsearch answered ${res.status}`);
      },
    },
  ];
  return {
    config,
    logger,
    database,
    shared,
    pii,
    services,
    health,
    close: async () => {
      await shared.close();
      await database.close();
    },
  };
}
