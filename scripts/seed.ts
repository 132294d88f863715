import { loadConfig } from '../server/config';
import { createContainer } from '../server/container';
import { describeLogins, seedDemo } from '../server/demo/seed-demo';

/** `npm run seed`: seeds the demo data into an empty database (migrating first); never in production. */
const config = loadConfig();
if (config.env === 'production') {
  process.stderr.write('npm run seed: demo data (with published passwords) is never seeded when NODE_ENV=production; create the first operator with npm run create-operator\n');
  process.exit(2);
}
const container = await createContainer(config);
const logins = await seedDemo(container.services);
process.stdout.write(logins ? `Demo data seeded.\n${describeLogins(logins, 'http://localhost:3000')}\n` : 'Database already has data; nothing seeded.\n');
await container.close();
