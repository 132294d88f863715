import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(path.join(tmpdir(), 'cfg-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('config', () => {
  it('names the variable and the reason for a bad value', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATA_DIR: tempDir() })).toThrow(/PORT/);
    expect(() => loadConfig({ ROLE: 'cron', DATA_DIR: tempDir() })).toThrow(/ROLE/);
    expect(() => loadConfig({ DATABASE_URL: 'not a url', DATA_DIR: tempDir() })).toThrow(/DATABASE_URL/);
  });

  it('refuses to start in production without SESSION_SECRET and PII_KEY', () => {
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tempDir() })).toThrow(ConfigError);
    expect(() => loadConfig({ NODE_ENV: 'production', DATA_DIR: tempDir() })).toThrow(/SESSION_SECRET, PII_KEY/);
    const ok = loadConfig({
      NODE_ENV: 'production',
      DATA_DIR: tempDir(),
      SESSION_SECRET: 'x'.repeat(40),
      PII_KEY: `k2:${randomBytes(32).toString('base64')},k1:${randomBytes(32).toString('base64')}`,
      PUBLIC_URL: 'https://daichao.example',
    });
    expect(ok.piiKeys.map((k) => k.id)).toEqual(['k2', 'k1']);
  });

  const production = () => ({
    NODE_ENV: 'production',
    DATA_DIR: tempDir(),
    SESSION_SECRET: 'x'.repeat(40),
    PII_KEY: `k1:${randomBytes(32).toString('base64')}`,
    PUBLIC_URL: 'https://daichao.example',
  });

  it('PUBLIC_URL: required in production, an origin only; http://localhost:<PORT> in development', () => {
    expect(() => loadConfig({ ...production(), PUBLIC_URL: '' })).toThrow(/PUBLIC_URL: required when NODE_ENV=production/);
    expect(loadConfig({ ...production(), PUBLIC_URL: 'https://daichao.example/' }).publicUrl).toBe('https://daichao.example');
    for (const bad of ['daichao.example', 'ftp://daichao.example', 'https://daichao.example/app', 'https://daichao.example/?x=1', 'https://user:pw@daichao.example']) {
      expect(() => loadConfig({ ...production(), PUBLIC_URL: bad }), bad).toThrow(/PUBLIC_URL/);
    }
    expect(loadConfig({ DATA_DIR: tempDir() }).publicUrl).toBe('http://localhost:3000');
    expect(loadConfig({ DATA_DIR: tempDir(), PORT: '8080' }).publicUrl).toBe('http://localhost:8080');
    expect(loadConfig({ DATA_DIR: tempDir(), PUBLIC_URL: 'http://127.0.0.1:3000' }).publicUrl).toBe('http://127.0.0.1:3000');
  });

  it('WEBHOOK_ALLOW_LOOPBACK: off unless set, and refused in production', () => {
    expect(loadConfig({ DATA_DIR: tempDir() }).webhooks.allowLoopback).toBe(false);
    expect(loadConfig({ DATA_DIR: tempDir(), WEBHOOK_ALLOW_LOOPBACK: 'true' }).webhooks.allowLoopback).toBe(true);
    expect(loadConfig(production()).webhooks.allowLoopback).toBe(false);
    expect(() => loadConfig({ ...production(), WEBHOOK_ALLOW_LOOPBACK: 'true' })).toThrow(/WEBHOOK_ALLOW_LOOPBACK: not allowed when NODE_ENV=production/);
    expect(() => loadConfig({ DATA_DIR: tempDir(), WEBHOOK_ALLOW_LOOPBACK: 'yes' })).toThrow(/WEBHOOK_ALLOW_LOOPBACK/);
  });

  it('PGLITE_WASM_COMPILER: baseline unless set to optimizing, and nothing else', () => {
    expect(loadConfig({ DATA_DIR: tempDir() }).pgliteWasmCompiler).toBe('baseline');
    expect(loadConfig({ DATA_DIR: tempDir(), PGLITE_WASM_COMPILER: 'optimizing' }).pgliteWasmCompiler).toBe('optimizing');
    expect(loadConfig({ DATA_DIR: tempDir(), PGLITE_WASM_COMPILER: '' }).pgliteWasmCompiler).toBe('baseline');
    expect(() => loadConfig({ DATA_DIR: tempDir(), PGLITE_WASM_COMPILER: 'turbofan' })).toThrow(/PGLITE_WASM_COMPILER/);
  });

  it('never seeds demo data in production: off by default there, and SEED_DEMO=auto|always refuses to start', () => {
    expect(loadConfig({ ...production() }).seedDemo).toBe(false);
    expect(loadConfig({ ...production(), SEED_DEMO: 'never' }).seedDemo).toBe(false);
    expect(() => loadConfig({ ...production(), SEED_DEMO: 'auto' })).toThrow(ConfigError);
    expect(() => loadConfig({ ...production(), SEED_DEMO: 'auto' })).toThrow(/SEED_DEMO: must be "never" when NODE_ENV=production/);
    expect(() => loadConfig({ ...production(), SEED_DEMO: 'always' })).toThrow(/SEED_DEMO/);
    // development keeps seeding an empty database, as the quick start expects
    expect(loadConfig({ DATA_DIR: tempDir() }).seedDemo).toBe(true);
    expect(loadConfig({ DATA_DIR: tempDir(), SEED_DEMO: 'never' }).seedDemo).toBe(false);
  });

  it('generates development secrets once and keeps them under DATA_DIR', () => {
    const dir = tempDir();
    const first = loadConfig({ DATA_DIR: dir });
    const second = loadConfig({ DATA_DIR: dir });
    expect(first.sessionSecret).toBe(second.sessionSecret);
    expect(first.piiKeys[0]!.key.equals(second.piiKeys[0]!.key)).toBe(true);
    expect(first.port).toBe(3000);
    expect(first.role).toBe('all');
  });
});
