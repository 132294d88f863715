import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const readme = readFileSync(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../README.md'));

describe('README.md is a front door', () => {
  it('stays under 12 KB: the rest belongs in docs/', () => {
    expect(readme.byteLength).toBeLessThan(12 * 1024);
  });

  it('keeps the quick start, the demo logins, the tests and the way on', () => {
    const text = readme.toString('utf8');
    for (const heading of ['## Quick start', '## Demo logins', '## Tests', '## Read on']) expect(text).toContain(heading);
    expect(text).toContain('npm install && npm start');
  });
});
