import { createHash } from 'node:crypto';

/** SHA-256 of text or bytes, as 64 hex characters (tokens stored by hash, file fingerprints). */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}
