import { mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { freshTemplateFor, openDatabase, queryRows } from './client';

// the build's template (scripts/build.mjs) is made as the test run's is: initdb and every migration, dumped
const template = inject('pgliteTemplateFile');
const dirs: string[] = [];
const tempDir = () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'daichao-pglite-'));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe.skipIf(!template)('a first start from the migrated template', () => {
  it('opens a never-used data directory migrated, and the directory keeps its data on the next open', async () => {
    const dir = tempDir();
    const first = await openDatabase({ dir, template });
    const [applied] = await queryRows<{ n: number }>(first.db, sql`select count(*)::int as n from drizzle.__drizzle_migrations`);
    expect(applied?.n).toBeGreaterThan(40);
    await first.migrate(); // nothing left to apply
    await first.db.execute(sql`create table template_probe (x int)`);
    await first.db.execute(sql`insert into template_probe values (7)`);
    await first.close();

    const again = await openDatabase({ dir, template });
    expect(await queryRows(again.db, sql`select x from template_probe`)).toEqual([{ x: 7 }]);
    await again.close();
  });

  it('is not used for a directory PGlite has used, nor when a migration is newer than it', () => {
    expect(freshTemplateFor(tempDir(), template)).toBeInstanceOf(Blob);
    const used = tempDir();
    writeFileSync(path.join(used, 'PG_VERSION'), '17\n');
    expect(freshTemplateFor(used, template)).toBeUndefined();
    const stale = path.join(tempDir(), 'stale.tar');
    writeFileSync(stale, 'x');
    utimesSync(stale, new Date('2020-01-01'), new Date('2020-01-01'));
    expect(freshTemplateFor(tempDir(), stale)).toBeUndefined();
    expect(freshTemplateFor(tempDir(), path.join(tempDir(), 'missing.tar'))).toBeUndefined();
  });
});
