import { protocol } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { bindDescribeExecuteSync, type BoundValue } from './pglite-queries';

/** what PGlite's own writer makes of Bind, Describe (portal), Execute and Sync */
function pgliteBytes(name: string, values: BoundValue[]): Buffer {
  return Buffer.concat([protocol.serialize.bind({ statement: name, values }), protocol.serialize.describe({ type: 'P' }), protocol.serialize.execute({}), protocol.serialize.sync()]);
}

describe('bindDescribeExecuteSync', () => {
  const cases: [string, string, BoundValue[]][] = [
    ['no values', 's_1a2b', []],
    ['text, null and an empty string', 's_3c4d', ['plain', null, '']],
    ['Chinese, symbols and characters outside the BMP', 's_5e6f', ['信用贷 先息后本', '¥30万 · 12期', '😀𠀋 e贷 pro', '{"q":"装修\\n\\"分期\\""}']],
    ['bytes, sent in binary format', 's_7a8b', [new Uint8Array([0, 1, 254, 255]), 'x', new Uint8Array(0)]],
    ['65,535 values, the most a statement binds', 's_e1f2', Array.from({ length: 65_535 }, (_, i) => (i % 7 === 0 ? null : String(i)))],
    ['a 15 KB JSON batch', 's_9c0d', [JSON.stringify(Array.from({ length: 100 }, (_, i) => ({ kind: 'search', query: `装修贷款 ${i}`, result_count: i, filters: {} })))]],
  ];
  it.each(cases)('makes the bytes PGlite’s writer makes: %s', (_label, name, values) => {
    expect(Buffer.from(bindDescribeExecuteSync(name, values)).equals(pgliteBytes(name, values))).toBe(true);
  });

  it('ends with Describe of the unnamed portal, Execute of all rows and Sync', () => {
    const bytes = Buffer.from(bindDescribeExecuteSync('s', ['a']));
    const describeExecuteSync = [0x44, 0, 0, 0, 6, 0x50, 0, 0x45, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0x53, 0, 0, 0, 4];
    expect([...bytes.subarray(-describeExecuteSync.length)]).toEqual(describeExecuteSync);
    expect(String.fromCharCode(bytes[0]!)).toBe('B');
    expect(bytes.readInt32BE(1)).toBe(bytes.length - 1 - describeExecuteSync.length);
  });
});
