import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root (the folder with package.json): where the views, static files and
 * migrations are found. Found by walking up from this module, so it is the same whether the
 * server runs from its TypeScript sources (tsx, vitest: server/lib/) or from the compiled bundle
 * `npm start` runs (dist/main.js, scripts/build.ts).
 */
function findProjectRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) throw new Error(`no package.json above ${from}`);
  }
}

export const projectRoot = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));
