import { readFileSync } from 'node:fs';
import pg from 'pg';
import { inject } from 'vitest';

/**
 * Migrating a database takes seconds, so the global setup (test/support/global-setup.ts) migrates once per run
 * into templates, and every test file clones one: PGlite loads a dumped data directory, PostgreSQL copies a
 * template database. Without the global setup (a file run some other way) the callers migrate as before.
 */
declare module 'vitest' {
  export interface ProvidedContext {
    /** path of a PGlite data directory tarball, migrated */
    pgliteTemplateFile?: string;
    /** name of a migrated database on the TEST_DATABASE_URL server, nobody connected to it */
    postgresTemplateDatabase?: string;
  }
}

let pgliteTemplate: Blob | undefined;

/** The migrated PGlite data directory of this run (read once per worker), or undefined without the global setup. */
export function pgliteTemplateData(): Blob | undefined {
  const file = inject('pgliteTemplateFile');
  if (!file) return undefined;
  pgliteTemplate ??= new Blob([readFileSync(file)]);
  return pgliteTemplate;
}

/** The migrated PostgreSQL template database of this run, or undefined without the global setup. */
export function postgresTemplateDatabase(): string | undefined {
  return inject('postgresTemplateDatabase');
}

const OBJECT_IN_USE = '55006';

/**
 * CREATE DATABASE `name` (a copy of `template` when given). PostgreSQL refuses a copy while anyone else is
 * connected to the template (another file's CREATE may briefly be), so that refusal is retried.
 */
export async function createServerDatabase(baseUrl: string, name: string, template?: string): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await admin.query(template ? `create database ${name} template ${template}` : `create database ${name}`);
        return;
      } catch (err) {
        if ((err as { code?: string }).code !== OBJECT_IN_USE || attempt >= 50) throw err;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } finally {
    await admin.end();
  }
}

/** DROP DATABASE `name`, closing whatever is still connected to it. */
export async function dropServerDatabase(baseUrl: string, name: string): Promise<void> {
  const admin = new pg.Client({ connectionString: baseUrl });
  await admin.connect();
  try {
    await admin.query(`drop database if exists ${name} with (force)`);
  } finally {
    await admin.end();
  }
}

/** `baseUrl` pointing at database `name` instead. */
export function serverDatabaseUrl(baseUrl: string, name: string): string {
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return url.toString();
}
