import { loadConfig } from '../server/config';
import { createContainer } from '../server/container';
import { describeLogins, seedDemo } from './seed-demo';

/** `npm run seed`: seeds the demo data into an empty database (migrating first). */
const container = await createContainer(loadConfig());
const logins = await seedDemo(container.services);
process.stdout.write(logins ? `Demo data seeded.\n${describeLogins(logins, 'http://localhost:3000')}\n` : 'Database already has data; nothing seeded.\n');
await container.close();
