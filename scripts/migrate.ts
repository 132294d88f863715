import path from 'node:path';
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db/client';

/** Applies the checked-in migrations to DATABASE_URL, or to PGlite under DATA_DIR. */
const config = loadConfig();
const database = await openDatabase({ url: config.databaseUrl, dir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite') });
await database.migrate();
await database.close();
process.stdout.write(`migrations applied (${database.driver})\n`);
