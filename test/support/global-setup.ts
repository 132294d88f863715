import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PGlite } from '@electric-sql/pglite';
import { drizzle } from 'drizzle-orm/pglite';
import { migrate } from 'drizzle-orm/pglite/migrator';
import type { TestProject } from 'vitest/node';
import { migrationsFolder, openDatabase } from '../../server/db/client';
import { createServerDatabase, dropServerDatabase, serverDatabaseUrl } from './database-template';

/** Migrates once per run: a PGlite data directory dumped to a file, and (with TEST_DATABASE_URL) a template database. */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'daichao-template-'));
  const pglite = new PGlite();
  await migrate(drizzle(pglite), { migrationsFolder });
  const file = path.join(dir, 'pglite-migrated.tar');
  // uncompressed: loading skips the gunzip, and the file lives only for this run
  writeFileSync(file, Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer()));
  await pglite.close();
  project.provide('pgliteTemplateFile', file);

  const baseUrl = process.env.TEST_DATABASE_URL;
  const template = `dc_template_${randomBytes(6).toString('hex')}`;
  if (baseUrl) {
    await createServerDatabase(baseUrl, template);
    const handle = await openDatabase({ url: serverDatabaseUrl(baseUrl, template) });
    await handle.migrate();
    // closed before any copy: PostgreSQL copies a template only while nobody is connected to it
    await handle.close();
    project.provide('postgresTemplateDatabase', template);
  }

  return async () => {
    rmSync(dir, { recursive: true, force: true });
    if (baseUrl) await dropServerDatabase(baseUrl, template);
  };
}
