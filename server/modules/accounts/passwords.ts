import { randomInt } from 'node:crypto';
import { createRequire } from 'node:module';
import argon2 from 'argon2';
import type * as ZxcvbnCore from '@zxcvbn-ts/core';
import type * as ZxcvbnLanguage from '@zxcvbn-ts/language-common';

/** argon2id with OWASP's recommended minimum (19 MiB, 2 passes, 1 lane). */
const options = { type: argon2.argon2id, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

export function hashPassword(password: string): Promise<string> {
  return argon2.hash(password, options);
}

export async function verifyPassword(hash: string, password: string): Promise<boolean> {
  try {
    return await argon2.verify(hash, password);
  } catch {
    return false;
  }
}

let dummyHash: Promise<string> | undefined;
/** Spends the same time as a real check, so an unknown login cannot be told apart by timing. */
export async function verifyAgainstDummy(password: string): Promise<false> {
  dummyHash ??= hashPassword('not-a-real-password-0');
  await verifyPassword(await dummyHash, password);
  return false;
}

/**
 * The lowest zxcvbn score accepted (0–4). 2 means "somewhat guessable": about 10^6–10^8
 * guesses, out of reach online now that logins are throttled; the common-password list, keyboard
 * walks, repeats and sequences all score below it.
 */
export const MIN_PASSWORD_SCORE = 2;

/** The common-password list (zxcvbn-ts's language-common: ~49,000 passwords from breach corpora), lower-cased. */
let common: Set<string> | undefined;
let estimator: ZxcvbnCore.ZxcvbnFactory | undefined;
/**
 * zxcvbn and its dictionaries (~16 MB of RSS) are loaded when a password is first checked, not at
 * start: most processes (a restart serving the catalogue) never set a password.
 */
const load = createRequire(import.meta.url);
const zxcvbnDictionaries = () => load('@zxcvbn-ts/language-common') as typeof ZxcvbnLanguage;
const zxcvbn = () => {
  if (!estimator) {
    const { ZxcvbnFactory } = load('@zxcvbn-ts/core') as typeof ZxcvbnCore;
    const { dictionary, adjacencyGraphs } = zxcvbnDictionaries();
    estimator = new ZxcvbnFactory({ dictionary, graphs: adjacencyGraphs });
  }
  return estimator;
};
const isCommon = (password: string) => (common ??= new Set(zxcvbnDictionaries().dictionary['passwords-common'].map((p) => p.toLowerCase()))).has(password.toLowerCase());

/** What the account is known by: a password must not contain it. */
export interface PasswordContext {
  /** a consumer's mobile number */
  phone?: string;
  /** a staff member's username */
  username?: string;
}

/**
 * The one password policy, used wherever a password is set (registration, change, reset, staff
 * invitation, the create-operator command). Returns the reason in Chinese, or null when the
 * password is acceptable.
 */
export function passwordProblem(password: string, context: PasswordContext = {}): string | null {
  if (password.length < 8) return '密码至少 8 位';
  if (password.length > 128) return '密码最多 128 位';
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) return '密码需同时包含字母和数字';
  const lower = password.toLowerCase();
  const phone = context.phone?.replace(/\D/g, '');
  if (phone && phone.length >= 7 && password.replace(/[\s-]/g, '').includes(phone)) return '密码不能包含手机号';
  const username = context.username?.trim().toLowerCase();
  if (username && username.length >= 3 && lower.includes(username)) return '密码不能包含用户名';
  if (isCommon(password)) return '这是常见密码，很容易被猜中，请换一个';
  const inputs = [phone, username].filter((v): v is string => Boolean(v));
  if (zxcvbn().check(password, inputs).score < MIN_PASSWORD_SCORE) {
    return '密码太容易被猜中（常见词、键盘顺序、重复或连续字符），请换一个更复杂的';
  }
  return null;
}

const ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';
/**
 * A one-time password for a new or reset staff account: 16 characters from an alphabet without
 * look-alikes (about 93 bits), in groups of four so it can be read out; always passes the policy.
 */
export function oneTimePassword(): string {
  for (;;) {
    const chars = Array.from({ length: 16 }, () => ALPHABET[randomInt(ALPHABET.length)]!);
    const candidate = [0, 4, 8, 12].map((i) => chars.slice(i, i + 4).join('')).join('-');
    if (passwordProblem(candidate) === null) return candidate;
  }
}
