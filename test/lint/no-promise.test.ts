import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// A marketplace shows odds and estimates, never a promise: no page a borrower can see says a loan is
// pre-approved or guaranteed (issue 15). Every template of every surface is read as it ships, and the
// surfaces' TypeScript too (texts built in code: odds notes, reasons, flash messages).
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const promise = /预批|已预批|预授信通过|保证下款|包下款|必下款|100%\s*下款|稳下款|预审通过|审批通过率100|pre-?approv|guaranteed approval/i;

describe('no wording that promises approval', () => {
  const templates = ['web', 'admin', 'institution-portal', 'server/http'].flatMap((dir) =>
    readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
      .filter((f) => f.endsWith('.hbs') || (f.endsWith('.ts') && !f.endsWith('.test.ts')))
      .map((f) => path.join(dir, f)),
  );

  it('reads every template and source file of the surfaces', () => {
    expect(templates.length).toBeGreaterThan(50);
  });

  it.each(templates)('%s', (file) => {
    const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
    const found = lines.flatMap((line, i) => (promise.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
    expect(found).toEqual([]);
  });
});
