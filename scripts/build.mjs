// Compiles the server (server/main.ts and everything it imports) into one ES module,
// dist/main.js (and dist/chunks/ for what is imported lazily), which `npm start` runs with plain node: no TypeScript loader transpiling ~430
// files on every start. npm packages stay external (imported from node_modules at run time);
// views, static files and migrations are read from the checkout (server/lib/project-root.ts).
//
// Runs as `prestart`, so it must cost nothing when nothing changed: the previous build's
// esbuild metafile lists every source it read, and the bundle is rebuilt only when one of them
// (or this script) is newer than it. A new file counts through the file that imports it.
// Plain JavaScript so it needs no TypeScript loader itself. `--force` rebuilds anyway.
//   node scripts/build.mjs [--force]
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
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

if (!process.argv.includes('--force') && upToDate()) process.exit(0);

const started = performance.now();
const { build } = await loadEsbuild();
// chunk names carry a hash: the previous build's would pile up
rmSync(path.join(root, 'dist/chunks'), { recursive: true, force: true });
const result = await build({
  absWorkingDir: root,
  entryPoints: ['server/main.ts'],
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
