import { createCipheriv, createDecipheriv, createHmac, hkdfSync } from 'node:crypto';
import { randomBytesPooled } from './random-pool';

/**
 * PII at rest: AES-256-GCM with a key id in every ciphertext, so keys can rotate
 * (new key first in PII_KEY encrypts; older keys still decrypt). Lookups go through a
 * keyed hash (blind index) derived from the oldest key, which must therefore be kept.
 */
export class PiiCipher {
  private readonly byId: Map<string, Buffer>;
  private readonly current: { id: string; key: Buffer };
  private readonly indexKey: Buffer;

  constructor(keys: { id: string; key: Buffer }[]) {
    if (keys.length === 0) throw new Error('at least one PII key is required');
    this.current = keys[0]!;
    this.byId = new Map(keys.map((k) => [k.id, k.key]));
    const oldest = keys[keys.length - 1]!;
    this.indexKey = Buffer.from(hkdfSync('sha256', oldest.key, Buffer.alloc(0), 'daichao blind index v1', 32));
  }

  encrypt(plain: string): string {
    const iv = randomBytesPooled(12);
    const cipher = createCipheriv('aes-256-gcm', this.current.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    const tag = cipher.getAuthTag();
    return ['v1', this.current.id, iv.toString('base64url'), tag.toString('base64url'), body.toString('base64url')].join('.');
  }

  decrypt(sealed: string): string {
    const [version, keyId, iv, tag, body] = sealed.split('.');
    if (version !== 'v1' || !keyId || !iv || !tag || body === undefined) throw new Error('not a sealed PII value');
    const key = this.byId.get(keyId);
    if (!key) throw new Error(`PII key ${keyId} is not configured`);
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(body, 'base64url')), decipher.final()]).toString('utf8');
  }

  /** Deterministic keyed hash for equality lookups (e.g. log in by phone number). */
  blindIndex(value: string): string {
    return createHmac('sha256', this.indexKey).update(value).digest('base64url');
  }
}

/** 13812345678 → 138****5678 */
export function maskPhone(phone: string): string {
  return phone.length >= 7 ? `${phone.slice(0, 3)}****${phone.slice(-4)}` : '****';
}

/**
 * 110101199003071234 → **************1234. Only the last four: with the region prefix and a
 * birth date beside it, the rest could be rebuilt from a few dozen candidates.
 */
export function maskIdNumber(id: string): string {
  return id.length > 4 ? `${'*'.repeat(id.length - 4)}${id.slice(-4)}` : '****';
}

/** 张三丰 → 张** ; zhang@example.com → z***@example.com */
export function maskName(name: string): string {
  const chars = [...name];
  return chars.length <= 1 ? '*' : `${chars[0]}${'*'.repeat(chars.length - 1)}`;
}

export function maskLogin(login: string): string {
  if (/^1\d{10}$/.test(login)) return maskPhone(login);
  const at = login.indexOf('@');
  if (at > 0) return `${login[0]}***${login.slice(at)}`;
  return login.length > 2 ? `${login.slice(0, 2)}***` : '***';
}

/** 6222021234567890123 → 6222 **** **** 0123 */
export function maskBankCard(card: string): string {
  const digits = card.replace(/\D/g, '');
  return digits.length >= 8 ? `${digits.slice(0, 4)} **** **** ${digits.slice(-4)}` : '****';
}

/** The Luhn check every bank card number (银联卡) passes. */
export function luhnValid(card: string): boolean {
  if (!/^\d{12,19}$/.test(card)) return false;
  let sum = 0;
  for (let i = 0; i < card.length; i++) {
    let d = Number(card[card.length - 1 - i]);
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * Phone and ID numbers written into free text (a chat), masked as on the lead pages:
 * "我的电话 13812345678" → "我的电话 138****5678"; an 18-character ID number keeps its last four.
 */
export function maskPiiInText(text: string): string {
  return text.replace(/(?<![\dA-Za-z])(\d{17}[\dXx])(?![\dA-Za-z])|(?<!\d)(1[3-9]\d{9})(?!\d)/g, (_m, id: string | undefined, phone: string | undefined) =>
    id ? maskIdNumber(id) : maskPhone(phone!),
  );
}
