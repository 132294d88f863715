import path from 'node:path';
import { loadConfig } from '../server/config';
import { openDatabase } from '../server/db/client';
import { runDataSteps } from '../server/db/data-steps';
import { PiiCipher } from '../server/lib/pii';

/** Applies the checked-in migrations to DATABASE_URL, or to PGlite under DATA_DIR, then the data steps that need PII_KEY. */
const config = loadConfig();
const database = await openDatabase({ url: config.databaseUrl, dir: config.databaseUrl ? undefined : path.join(config.dataDir, 'pglite') });
await database.migrate();
const converted = await runDataSteps(database.db, new PiiCipher(config.piiKeys));
await database.close();
process.stdout.write(`migrations applied (${database.driver}); data steps: ${JSON.stringify(converted)}\n`);
