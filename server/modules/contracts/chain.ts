import { createHash } from 'node:crypto';
import stringify from 'safe-stable-stringify';

/** The first link's predecessor. */
export const GENESIS_CHAIN_HASH = '0'.repeat(64);

/** What one evidence link covers: the evidence row and the contract row it attests (file hash included). */
export interface EvidenceFacts {
  contractId: string;
  kind: string;
  title: string;
  institutionId: string | null;
  consumerId: string | null;
  subjectId: string | null;
  signerAccountId: string;
  signedAt: string;
  ip: string;
  deviceHash: string;
  door: string;
  documentSha256: string;
  storageKey: string;
  size: number;
  templateId: string;
  templateVersion: number;
  smsConfirmed: boolean;
}

/** Canonical JSON: keys sorted, no whitespace (safe-stable-stringify), so the same facts always hash the same. */
export function canonicalJson(facts: EvidenceFacts): string {
  return stringify(facts) as string;
}

/** chain_hash = sha256(prev_chain_hash || canonical JSON of the facts), hex. */
export function chainHash(prevChainHash: string, facts: EvidenceFacts): string {
  return createHash('sha256').update(prevChainHash).update(canonicalJson(facts)).digest('hex');
}
