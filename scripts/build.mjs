// Compiles the server (server/main.ts and everything it imports) into one ES module,
// dist/main.js, which `npm start` runs with plain node: no TypeScript loader transpiling ~430
// files on every start. npm packages stay external (imported from node_modules at run time);
// views, static files and migrations are read from the checkout (server/lib/project-root.ts).
//
// Runs as `prestart`, so it must cost nothing when nothing changed: the previous build's
// esbuild metafile lists every source it read, and the bundle is rebuilt only when one of them
// (or this script) is newer than it. A new file counts through the file that imports it.
// Plain JavaScript so it needs no TypeScript loader itself. `--force` rebuilds anyway.
//   node scripts/build.mjs [--force]
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
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

if (!process.argv.includes('--force') && upToDate()) process.exit(0);

const started = performance.now();
const { build } = await import('esbuild');
const result = await build({
  absWorkingDir: root,
  entryPoints: ['server/main.ts'],
  outfile,
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  // stack traces name the TypeScript sources (node --enable-source-maps)
  sourcemap: true,
  metafile: true,
  logLevel: 'warning',
});
writeFileSync(metafile, JSON.stringify(result.metafile));
process.stdout.write(`built dist/main.js from ${Object.keys(result.metafile.inputs).length} sources in ${Math.round(performance.now() - started)} ms\n`);
