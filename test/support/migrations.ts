import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { migrationsFolder } from '../../server/db/client';

/**
 * A copy of the checked-in migrations up to, not including, the one whose tag ends in `tagSuffix`:
 * a database as it was before that migration, to test what the migration does to existing rows.
 */
export function migrationsBefore(tagSuffix: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'daichao-migrations-'));
  cpSync(migrationsFolder, dir, { recursive: true });
  const file = path.join(dir, 'meta', '_journal.json');
  const journal = JSON.parse(readFileSync(file, 'utf8')) as { entries: { tag: string }[] };
  const at = journal.entries.findIndex((e) => e.tag.endsWith(tagSuffix));
  if (at < 0) throw new Error(`no migration *${tagSuffix}`);
  journal.entries = journal.entries.slice(0, at);
  writeFileSync(file, JSON.stringify(journal));
  return dir;
}
