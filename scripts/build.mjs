// Compiles the server (server/main.ts and everything it imports) into one ES module,
// dist/main.js (and dist/chunks/ for what is imported lazily or shared with dist/pglite-worker.js, the database thread), which `npm start` runs with plain node: no TypeScript loader transpiling ~430
// files on every start. npm packages stay external (imported from node_modules at run time);
// views, static files and migrations are read from the checkout (server/lib/project-root.ts).
//
// Runs as `prestart`, so it must cost nothing when nothing changed: the previous build's
// esbuild metafile lists every source it read, and the bundle is rebuilt only when one of them
// (or this script) is newer than it. A new file counts through the file that imports it.
// It also keeps dist/pglite-template.tar, the embedded database after initdb and the migrations,
// which a first start on an empty DATA_DIR loads instead of running them (remade when a migration
// changes). Plain JavaScript so it needs no TypeScript loader itself. `--force` rebuilds anyway.
//   node scripts/build.mjs [--force]
import { existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const outfile = path.join(root, 'dist/main.js');
const metafile = path.join(root, 'dist/meta.json');

function upToDate() {
  if (!existsSync(outfile) || !existsSync(metafile)) return false;
  const built = statSync(outfile).mtimeMs;
  const inputs = Object.keys(JSON.parse(readFileSync(metafile, 'utf8')).inputs);
  for (const input of [...inputs, 'scripts/build.mjs', 'package.json']) {
    const file = path.join(root, input);
    if (!existsSync(file) || statSync(file).mtimeMs > built) return false;
  }
  return true;
}

/**
 * esbuild is a devDependency; an install without them (npm ci --omit=dev) still has the copy tsx
 * (a dependency) runs on, so the build works there too.
 */
async function loadEsbuild() {
  try {
    return await import('esbuild');
  } catch {
    const fromTsx = createRequire(createRequire(import.meta.url).resolve('tsx/package.json')).resolve('esbuild');
    return import(pathToFileURL(fromTsx).href);
  }
}

const templateFile = path.join(root, 'dist/pglite-template.tar');
const migrationsFolder = path.join(root, 'server/db/migrations');

/** The migrated PGlite template is current when it is newer than every migration (server/db/client.ts checks the same). */
function templateUpToDate() {
  if (!existsSync(templateFile)) return false;
  const made = statSync(templateFile).mtimeMs;
  return readdirSync(migrationsFolder, { recursive: true }).every((name) => statSync(path.join(migrationsFolder, String(name))).mtimeMs <= made);
}

/**
 * A fresh embedded database (no DATABASE_URL, empty DATA_DIR) starts from this template instead
 * of running PostgreSQL's initdb and every migration on the first start (~5 s and a ~600 MB
 * WebAssembly heap): initdb and the migrations run here once per change of the migrations,
 * like the bundle, and the Docker image ships the result. Uncompressed: loading skips a gunzip.
 */
async function buildPgliteTemplate() {
  const started = performance.now();
  const [{ PGlite }, { drizzle }, { migrate }] = await Promise.all([
    import('@electric-sql/pglite'),
    import('drizzle-orm/pglite'),
    import('drizzle-orm/pglite/migrator'),
  ]);
  const pglite = new PGlite();
  await migrate(drizzle(pglite), { migrationsFolder });
  const dump = Buffer.from(await (await pglite.dumpDataDir('none')).arrayBuffer());
  await pglite.close();
  writeFileSync(templateFile, dump);
  process.stdout.write(`made dist/pglite-template.tar (initdb and migrations) in ${Math.round(performance.now() - started)} ms\n`);
}

const force = process.argv.includes('--force');
if (!force && upToDate()) {
  if (!templateUpToDate()) await buildPgliteTemplate();
  process.exit(0);
}

const started = performance.now();
const { build } = await loadEsbuild();
// chunk names carry a hash: the previous build's would pile up
rmSync(path.join(root, 'dist/chunks'), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  // the embedded database's thread (server/db/pglite-thread.ts) starts from its own entry, dist/pglite-worker.js
  entryPoints: { main: 'server/main.ts', 'pglite-worker': 'server/db/pglite-worker.ts' },
  outdir: path.dirname(outfile),
  bundle: true,
  // modules imported with import() (the Elasticsearch adapter, the PostgreSQL driver) become
  // chunks loaded only when configured, with the npm packages they import
  splitting: true,
  chunkNames: 'chunks/[name]-[hash]',
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // NODE_OPTIONS=--enable-source-maps makes stack traces name the TypeScript sources; not on by
  // default, since it holds the 3.7 MB map parsed in memory (~30 MB of heap)
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(metafile, JSON.stringify(result.metafile));
process.stdout.write(`built dist/main.js from ${Object.keys(result.metafile.inputs).length} sources in ${Math.round(performance.now() - started)} ms\n`);
if (force || !templateUpToDate()) await buildPgliteTemplate();
