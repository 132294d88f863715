import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The pages are served with a strict Content-Security-Policy (server/app.ts: style-src and script-src
// 'self' only): an inline style attribute, a <style> or inline <script> block, or an on* handler is
// blocked by the browser and leaves the page broken without an error on the server. Classes in
// web/public/app.css and scripts under web/public/ do the work instead.
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const inline = /\sstyle="|<style[\s>]|<script(?![^>]*\ssrc=)[^>]*>|\son[a-z]+="/i;
const surfaces = ['web', 'admin', 'institution-portal', 'channel-portal', 'server/http'];

describe('no inline styles or scripts in templates (the CSP would block them)', () => {
  const templates = surfaces.flatMap((dir) => {
    try {
      return readdirSync(path.join(root, dir), { recursive: true, encoding: 'utf8' })
        .filter((f) => f.endsWith('.hbs'))
        .map((f) => path.join(dir, f));
    } catch {
      return []; // a surface not present in this checkout
    }
  });

  it('reads every template', () => {
    expect(templates.length).toBeGreaterThan(50);
  });

  it.each(templates)('%s', (file) => {
    const lines = readFileSync(path.join(root, file), 'utf8').split('\n');
    const found = lines.flatMap((line, i) => (inline.test(line) ? [`${file}:${i + 1}: ${line.trim()}`] : []));
    expect(found).toEqual([]);
  });
});
