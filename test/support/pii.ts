import { randomBytes } from 'node:crypto';
import { PiiCipher } from '../../server/lib/pii';

/** A PII cipher with a fresh random key, for suites that build services without the whole app. */
export function testCipher(): PiiCipher {
  return new PiiCipher([{ id: 't', key: randomBytes(32) }]);
}
