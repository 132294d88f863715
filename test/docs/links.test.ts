import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { anchorsOf, brokenLinks, documentationFiles } from './markdown-links';

const repositoryRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('documentation links', () => {
  it('README.md and docs/** link only to files and headings that exist', () => {
    const files = documentationFiles(repositoryRoot);
    expect(files).toContain('README.md');
    expect(files.length).toBeGreaterThan(1);
    expect(brokenLinks(repositoryRoot, files)).toEqual([]);
  });
});

describe('the link check itself', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'doc-links-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('slugs headings as GitHub does, Chinese and duplicates included', () => {
    const anchors = anchorsOf(
      ['# 贷超 — loan marketplace', '## Quick start', '## Quick start', '### 一键申请多家 (`POST /api/v1/applications`)', '<a id="kept"></a>'].join('\n\n'),
    );
    expect([...anchors]).toEqual(['贷超--loan-marketplace', 'quick-start', 'quick-start-1', '一键申请多家-post-apiv1applications', 'kept']);
  });

  it('reports a missing file and a missing heading, with file and line, and follows nothing external', () => {
    mkdirSync(path.join(root, 'docs/guide'), { recursive: true });
    writeFileSync(path.join(root, 'docs/guide/a.md'), '# 机构的工作台\n\n## Leads\n');
    writeFileSync(
      path.join(root, 'README.md'),
      [
        '# Front door',
        '[ok](docs/guide/a.md#机构的工作台) [ok too](docs/guide/a.md#leads) [self](#front-door) [web](https://example.com/x.md#nope)',
        '[gone](docs/guide/b.md)',
        '',
        '[no heading](docs/guide/a.md#statements)',
        '',
        '`[in code](docs/none.md)`',
      ].join('\n'),
    );
    expect(brokenLinks(root)).toEqual([
      { file: 'README.md', line: 2, href: 'docs/guide/b.md', reason: 'no file docs/guide/b.md' },
      { file: 'README.md', line: 5, href: 'docs/guide/a.md#statements', reason: 'no heading #statements in docs/guide/a.md' },
    ]);
  });
});
