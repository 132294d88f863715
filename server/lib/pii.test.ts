import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { luhnValid, maskBankCard, maskIdNumber, maskLogin, maskName, maskPhone, PiiCipher } from './pii';

const key = (id: string) => ({ id, key: randomBytes(32) });

describe('PII encryption', () => {
  it('round-trips and never stores the clear text', () => {
    const cipher = new PiiCipher([key('k1')]);
    const sealed = cipher.encrypt('张三 13812345678');
    expect(sealed).not.toContain('13812345678');
    expect(sealed.startsWith('v1.k1.')).toBe(true);
    expect(cipher.decrypt(sealed)).toBe('张三 13812345678');
    expect(cipher.encrypt('x')).not.toBe(cipher.encrypt('x')); // random IV
  });

  it('detects tampering', () => {
    const cipher = new PiiCipher([key('k1')]);
    const parts = cipher.encrypt('secret').split('.');
    parts[4] = Buffer.from('SECRET').toString('base64url');
    expect(() => cipher.decrypt(parts.join('.'))).toThrow();
  });

  it('rotates: a new key encrypts, old keys still decrypt, the blind index is stable', () => {
    const old = key('old');
    const before = new PiiCipher([old]);
    const sealed = before.encrypt('110101199003071234');
    const after = new PiiCipher([key('new'), old]);
    expect(after.decrypt(sealed)).toBe('110101199003071234');
    expect(after.encrypt('a').split('.')[1]).toBe('new');
    expect(after.blindIndex('13812345678')).toBe(before.blindIndex('13812345678'));
  });

  it('masks for the screen', () => {
    expect(maskPhone('13812345678')).toBe('138****5678');
    expect(maskIdNumber('110101199003071234')).toBe('**************1234');
    expect(maskName('张三丰')).toBe('张**');
    expect(maskLogin('13812345678')).toBe('138****5678');
    expect(maskLogin('zhang@example.com')).toBe('z***@example.com');
  });
});

describe('bank cards', () => {
  it('checks the Luhn digit and masks all but the first and last four', async () => {
    // 4111 1111 1111 1111 is the classic test card; 6222 0212 3456 7890 128 a 19-digit UnionPay-style one
    expect(luhnValid('4111111111111111')).toBe(true);
    expect(luhnValid('4111111111111112')).toBe(false);
    expect(luhnValid('6222021234567890128')).toBe(true);
    expect(luhnValid('6222021234567890123')).toBe(false);
    expect(luhnValid('12345')).toBe(false);
    expect(maskBankCard('6222021234567890123')).toBe('6222 **** **** 0123');
  });
});
