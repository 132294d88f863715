import { randomBytesPooled } from './random-pool';

const alphabet = '0123456789abcdefghjkmnpqrstvwxyz'; // Crockford base32, lower case

/** Opaque, URL-safe, sortable-enough ids with a readable prefix: `app_5k2x…`. */
export function newId(prefix: string, length = 20): string {
  const bytes = randomBytesPooled(length);
  let out = '';
  for (const b of bytes) out += alphabet[b & 31];
  return `${prefix}_${out}`;
}
