import { z } from 'zod';

const instant = z.string().describe('ISO 8601 instant');

export const contractJson = z.object({
  id: z.string(),
  kind: z.enum(['user_agreement', 'privacy_policy', 'authorization', 'loan_contract', 'cooperation']),
  kindLabel: z.string(),
  title: z.string(),
  institution: z.object({ id: z.string(), name: z.string().nullable() }).nullable(),
  subjectId: z.string().nullable().describe('what it was signed for: an offer, an application, an agreement version'),
  templateVersion: z.number().int(),
  sha256: z.string().describe('SHA-256 of the PDF as signed'),
  size: z.number().int(),
  signedAt: instant,
});
export const contractListResponse = z.object({ items: z.array(contractJson) });

const agreementJson = z.object({ kind: z.enum(['user_agreement', 'privacy_policy']), version: z.number().int(), title: z.string(), body: z.string(), changes: z.string(), url: z.string() });
export const currentAgreementsResponse = z.object({
  userAgreement: agreementJson,
  privacyPolicy: agreementJson,
  /** for a signed-in consumer: the kinds whose version in force they have not agreed to */
  outdated: z.array(z.enum(['user_agreement', 'privacy_policy'])).nullable(),
});
export const agreementsAcceptedResponse = z.object({ accepted: z.literal(true), userAgreement: z.number().int(), privacyPolicy: z.number().int() });

export const verifyResponse = z.object({
  contractId: z.string(),
  ok: z.boolean(),
  failures: z.array(z.enum(['file_hash_mismatch', 'file_unreadable', 'evidence_missing', 'evidence_row_changed', 'chain_broken'])),
  failureLabels: z.array(z.string()),
});

type ContractListItem = {
  id: string;
  kind: z.infer<typeof contractJson>['kind'];
  kindLabel: string;
  title: string;
  institutionId: string | null;
  institutionName: string | null;
  subjectId: string | null;
  templateVersion: number;
  sha256: string;
  size: number;
  signedAt: Date;
};

export const contractToJson = (c: ContractListItem) => ({
  id: c.id,
  kind: c.kind,
  kindLabel: c.kindLabel,
  title: c.title,
  institution: c.institutionId ? { id: c.institutionId, name: c.institutionName } : null,
  subjectId: c.subjectId,
  templateVersion: c.templateVersion,
  sha256: c.sha256,
  size: c.size,
  signedAt: c.signedAt,
});
