import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The import boundaries of eslint.config.js, checked on snippets placed at virtual paths in the tree:
// each illegal import is reported by the boundary rule, and the legal imports pass untouched.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const eslint = new ESLint({ cwd: root });

/** The boundary messages ESLint reports for `code` as if it were the file at `file` (relative to the repository). */
async function boundaryErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(root, file) });
  return result!.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('surfaces import only services and http helpers', () => {
  it.each([
    ['the database', 'web/routes/virtual.ts', `import { openDatabase } from '../../server/db/client';\nexport const open = openDatabase;\n`],
    ['an adapter', 'admin/routes/virtual.ts', `import { createRedis } from '../../server/adapters/redis';\nexport const redis = createRedis;\n`],
    ['a module internal', 'institution-portal/virtual.ts', `import { openDisplayName } from '../server/modules/accounts/display-name';\nexport const name = openDisplayName;\n`],
    ['a table definition', 'web/virtual.ts', `import { accounts } from '../server/modules/accounts/accounts.schema';\nexport const table = accounts;\n`],
    ['the container as a value', 'admin/virtual.ts', `import { createContainer } from '../server/container';\nexport const create = createContainer;\n`],
  ])('a surface importing %s is an error', async (_what, file, code) => {
    const errors = await boundaryErrors(file, code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^no-restricted-imports: .*surfaces (import only|take the container as a type only)/);
  });

  it.each([
    ['pg', `import pg from 'pg';\nexport const client = pg;\n`],
    ['PGlite', `import { PGlite } from '@electric-sql/pglite';\nexport const client = PGlite;\n`],
    ['redis', `import { createClient } from 'redis';\nexport const client = createClient;\n`],
    ['stripe', `import Stripe from 'stripe';\nexport const client = Stripe;\n`],
    ['drizzle', `import { eq } from 'drizzle-orm';\nexport const where = eq;\n`],
  ])('a surface importing the SDK %s is an error', async (_sdk, code) => {
    const errors = await boundaryErrors('web/routes/virtual.ts', code);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(/^no-restricted-imports: .*surfaces call services, never/);
  });

  it('a surface importing http helpers, lib, a module index and the container type passes', async () => {
    const code = [
      `import type { Services } from '../../server/container';`,
      `import type { Render } from '../../server/http/render';`,
      `import { ValidationError } from '../../server/lib/errors';`,
      `import { checkEligibility } from '../../server/modules/catalogue';`,
      `import { operatorCan } from '../../server/modules/accounts/index';`,
      `export type Door = [Services, Render];`,
      `export const used = [ValidationError, checkEligibility, operatorCan];`,
      '',
    ].join('\n');
    expect(await boundaryErrors('web/routes/virtual.ts', code)).toEqual([]);
  });
});

describe('modules import no SDK and reach another module only through its index', () => {
  it("a module importing another module's internal file is an error", async () => {
    const errors = await boundaryErrors('server/modules/content/virtual.ts', `import { openDisplayName } from '../accounts/display-name';\nexport const name = openDisplayName;\n`);
    expect(errors).toEqual([expect.stringMatching(/^no-restricted-imports: .*reach another module only through its index\.ts/)]);
  });

  it.each([
    ['pg', `import pg from 'pg';\nexport const client = pg;\n`],
    ['PGlite', `import { PGlite } from '@electric-sql/pglite';\nexport const client = PGlite;\n`],
    ['redis', `import { createClient } from 'redis';\nexport const client = createClient;\n`],
    ['stripe', `import Stripe from 'stripe';\nexport const client = Stripe;\n`],
    ['Elasticsearch', `import { Client } from '@elastic/elasticsearch';\nexport const client = Client;\n`],
  ])('a module importing the SDK %s is an error', async (_sdk, code) => {
    const errors = await boundaryErrors('server/modules/content/virtual.ts', code);
    expect(errors).toEqual([expect.stringMatching(/^no-restricted-imports: .*modules import no SDK/)]);
  });

  it('a module calling fetch is an error (gateways live in server/adapters)', async () => {
    const errors = await boundaryErrors('server/modules/content/virtual.ts', `export const ping = () => fetch('https://example.com');\n`);
    expect(errors).toEqual([expect.stringMatching(/^no-restricted-globals: .*gateways live in server\/adapters/)]);
  });

  it("a module importing another module's index, its table definitions, drizzle-orm and its own files passes", async () => {
    const code = [
      `import { eq } from 'drizzle-orm';`,
      `import { checkEligibility } from '../catalogue';`,
      `import { operatorCan } from '../accounts/index';`,
      `import { accounts } from '../accounts/accounts.schema';`,
      `import { articles } from './content.schema';`,
      `import { withTransaction } from '../../lib/tx';`,
      `export const used = [eq, checkEligibility, operatorCan, accounts, articles, withTransaction];`,
      '',
    ].join('\n');
    expect(await boundaryErrors('server/modules/content/virtual.ts', code)).toEqual([]);
  });
});

describe('server/ imports nothing from scripts/ or test/', () => {
  it.each([
    ['server/virtual.ts', `import '../scripts/seed';\n`],
    ['server/http/virtual.ts', `import { startTestApp } from '../../test/support/app';\nexport const start = startTestApp;\n`],
    ['server/modules/content/virtual.ts', `import { testCipher } from '../../../test/support/pii';\nexport const cipher = testCipher;\n`],
  ])('%s importing scripts/ or test/ is an error', async (file, code) => {
    const errors = await boundaryErrors(file, code);
    expect(errors).toEqual([expect.stringMatching(/^no-restricted-imports: .*server\/ imports nothing from scripts\/ or test\//)]);
  });

  it('the server imports its demo seeding from server/demo', async () => {
    const code = `import { seedDemo } from './demo/seed-demo';\nexport const seed = seedDemo;\n`;
    expect(await boundaryErrors('server/virtual.ts', code)).toEqual([]);
  });
});

describe('route handlers take params and caller from the route context', () => {
  it.each([
    ['a path param from req.params', 'web/routes/virtual.ts', `export const id = (req: { params: Record<string, string> }) => String(req.params.id);\n`, /read path params from the route context/],
    ['the account asserted on req', 'admin/routes/virtual.ts', `export const who = (req: { account?: { id: string } }) => req.account!.id;\n`, /read the caller from the route context/],
    ['the institution asserted on req', 'server/http/virtual.ts', `export const inst = (req: { institutionId?: string }) => req.institutionId!;\n`, /read the caller from the route context/],
  ])('%s is an error', async (_what, file, code, message) => {
    const errors = await boundaryErrors(file, code);
    expect(errors).toEqual([expect.stringMatching(message)]);
  });

  it('the context passes', async () => {
    const code = `export const handler = ({ params, principal }: { params: { id: string }; principal: { account: { id: string } } }) => [params.id, principal.account.id];\n`;
    expect(await boundaryErrors('institution-portal/routes/virtual.ts', code)).toEqual([]);
  });
});
