import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Webhook signatures, as documented for institutions:
 *
 *   x-daichao-signature: t=1735689600,v1=5257a869e7ecebeda32affa62cdca3fa51cad7e77a0e56ff536d0ce8e108d8bd
 *
 * `v1` is the lowercase hex HMAC-SHA256, keyed with the endpoint secret (`whsec_…`, the whole
 * string), of `"<t>.<raw request body>"`. To verify: recompute it over the raw body bytes (before
 * any JSON parsing), compare in constant time, and reject a `t` more than 5 minutes from your clock.
 * A header may carry several `v1=` values; any one matching is enough.
 */
export const SIGNATURE_HEADER = 'x-daichao-signature';

export interface VerifyOptions {
  /** Largest accepted distance between `t` and now, in seconds (either direction). */
  toleranceSeconds?: number;
  /** The receiver's clock, in milliseconds since the epoch. */
  now?: number;
}

function hmacHex(secret: string, timestamp: number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`, 'utf8').digest('hex');
}

/** The signature header value for `body`, sent at `timestamp` (unix seconds). */
export function signPayload(secret: string, body: string, timestamp: number): string {
  if (!Number.isFinite(timestamp) || timestamp < 0) throw new RangeError('timestamp must be unix seconds');
  const t = Math.floor(timestamp);
  return `t=${t},v1=${hmacHex(secret, t, body)}`;
}

/** True only for a well-formed header, signed with `secret` over `body`, within the tolerance. Never throws. */
export function verifySignature(secret: string, body: string, header: string | null | undefined, options: VerifyOptions = {}): boolean {
  const { toleranceSeconds = 300, now = Date.now() } = options;
  if (typeof header !== 'string' || header.length === 0 || header.length > 2_000) return false;
  let timestamp: number | undefined;
  const candidates: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq <= 0) return false;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't') {
      if (timestamp !== undefined || !/^\d{1,12}$/.test(value)) return false;
      timestamp = Number(value);
    } else if (key === 'v1') {
      if (!/^[0-9a-f]{64}$/i.test(value)) return false;
      candidates.push(value.toLowerCase());
    }
    // unknown schemes (future versions) are ignored
  }
  if (timestamp === undefined || candidates.length === 0) return false;
  if (Math.abs(now / 1000 - timestamp) > toleranceSeconds) return false;
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  let match = false;
  for (const candidate of candidates) {
    // every candidate is compared (no early exit), each in constant time
    if (timingSafeEqual(expected, Buffer.from(candidate, 'hex'))) match = true;
  }
  return match;
}
