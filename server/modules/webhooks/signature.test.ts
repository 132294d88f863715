import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signPayload, verifySignature } from './signature';

const secret = 'whsec_test_secret';
const body = JSON.stringify({ id: 'whd_1', event: 'lead.created', data: { amount: 50_000 } });
const t = 1_735_689_600; // 2025-01-01T00:00:00Z
const now = t * 1000;

describe('webhook signatures', () => {
  it('produces t=<seconds>,v1=<hex hmac of "t.body"> as documented', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signPayload(secret, body, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('round-trips', () => {
    expect(verifySignature(secret, body, signPayload(secret, body, t), { now })).toBe(true);
    // within the tolerance either way
    expect(verifySignature(secret, body, signPayload(secret, body, t), { now: now + 299_000 })).toBe(true);
    expect(verifySignature(secret, body, signPayload(secret, body, t + 200), { now })).toBe(true);
  });

  it('rejects a tampered body', () => {
    const header = signPayload(secret, body, t);
    expect(verifySignature(secret, body.replace('50000', '90000'), header, { now })).toBe(false);
    expect(verifySignature(secret, `${body} `, header, { now })).toBe(false);
  });

  it('rejects the wrong secret', () => {
    expect(verifySignature('whsec_other', body, signPayload(secret, body, t), { now })).toBe(false);
  });

  it('rejects a timestamp older (or newer) than the tolerance', () => {
    const header = signPayload(secret, body, t);
    expect(verifySignature(secret, body, header, { now: now + 301_000 })).toBe(false);
    expect(verifySignature(secret, body, header, { now: now + 61_000, toleranceSeconds: 60 })).toBe(false);
    expect(verifySignature(secret, body, header, { now: now - 301_000 })).toBe(false);
  });

  it('rejects a signature moved to another timestamp', () => {
    const v1 = signPayload(secret, body, t).split('v1=')[1];
    expect(verifySignature(secret, body, `t=${t + 1},v1=${v1}`, { now })).toBe(false);
  });

  it('rejects malformed headers without throwing', () => {
    const v1 = signPayload(secret, body, t).split('v1=')[1]!;
    for (const header of [
      undefined,
      null,
      '',
      'garbage',
      v1,
      `t=${t}`,
      `v1=${v1}`,
      `t=abc,v1=${v1}`,
      `t=-${t},v1=${v1}`,
      `t=${t},v1=${v1.slice(0, 63)}`,
      `t=${t},v1=${v1}zz`,
      `t=${t},t=${t},v1=${v1}`,
      `t=${t},,v1=${v1}`,
      `t=${t},v1=${'x'.repeat(64)}`,
    ]) {
      expect(verifySignature(secret, body, header, { now }), String(header)).toBe(false);
    }
  });

  it('accepts any one of several v1 values and ignores unknown schemes', () => {
    const good = signPayload(secret, body, t).split('v1=')[1]!;
    const other = signPayload('whsec_old', body, t).split('v1=')[1]!;
    expect(verifySignature(secret, body, `t=${t},v1=${other},v1=${good},v2=whatever`, { now })).toBe(true);
    expect(verifySignature(secret, body, `t=${t},v1=${other}`, { now })).toBe(false);
  });

  it('refuses to sign without a usable timestamp', () => {
    expect(() => signPayload(secret, body, Number.NaN)).toThrow(RangeError);
  });
});
