import { describe, expect, it } from 'vitest';
import { isReplayable, requestFingerprint } from './idempotency.service';

describe('requestFingerprint', () => {
  it('is the same for the same JSON with its keys in any order, at every level', () => {
    const a = requestFingerprint('POST', '/api/v1/x', { a: 1, b: { c: [1, { d: 2, e: 3 }], f: 'g' } });
    const b = requestFingerprint('POST', '/api/v1/x', { b: { f: 'g', c: [1, { e: 3, d: 2 }] }, a: 1 });
    expect(a).toBe(b);
  });

  it('differs for another value, another array order, another path or method', () => {
    const base = requestFingerprint('POST', '/api/v1/x', { a: [1, 2] });
    expect(requestFingerprint('POST', '/api/v1/x', { a: [2, 1] })).not.toBe(base);
    expect(requestFingerprint('POST', '/api/v1/x', { a: [1, 2], b: null })).not.toBe(base);
    expect(requestFingerprint('POST', '/api/v1/y', { a: [1, 2] })).not.toBe(base);
    expect(requestFingerprint('PUT', '/api/v1/x', { a: [1, 2] })).not.toBe(base);
  });
});

describe('isReplayable', () => {
  it('keeps successes and conflicts, never another refusal or a server error', () => {
    expect([200, 201, 202, 204, 303, 409].every(isReplayable)).toBe(true);
    expect([400, 401, 403, 404, 413, 415, 422, 429, 500, 503].some(isReplayable)).toBe(false);
  });
});
