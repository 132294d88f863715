import { maskName, type PiiCipher } from '../../lib/pii';

/**
 * Display names are personal data: a consumer's nickname, a staff member's name. They are stored
 * sealed with the PII cipher (`display_name_enc`); queries that join an account select the sealed
 * value and open it here. Staff names are shown to colleagues in clear; a consumer's to operators
 * only masked, as their other personal data is.
 */
export function openDisplayName(pii: PiiCipher, sealed: string | null): string {
  return sealed ? pii.decrypt(sealed) : '';
}

/** The name as an operator or colleague may see it: a consumer's masked (张**), staff in clear. */
export function shownDisplayName(pii: PiiCipher, sealed: string | null, kind: string): string {
  const name = openDisplayName(pii, sealed);
  return kind === 'consumer' ? maskName(name) : name;
}

/** Sorts by name as Chinese readers expect (pinyin order), after the names were opened. */
export function byDisplayName<T extends { displayName: string }>(a: T, b: T): number {
  return a.displayName.localeCompare(b.displayName, 'zh-Hans-CN');
}
