import { bigserial, boolean, index, integer, pgTable, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';

export const contractKindValues = ['user_agreement', 'privacy_policy', 'authorization', 'loan_contract', 'cooperation'] as const;
export const templateStatusValues = ['draft', 'pending_review', 'approved', 'rejected', 'retired'] as const;

/**
 * Versioned contract templates. `scope` is the institution id for an institution's own template
 * (its 借款合同) and `platform` for the platform's (用户协议, 隐私政策, the default 借款合同,
 * 授权书, 合作协议); one version number per kind and scope. The body is plain text with
 * `{{variable}}` placeholders (server/modules/contracts/template-text.ts).
 */
export const contractTemplates = pgTable(
  'contract_templates',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: contractKindValues }).notNull(),
    institutionId: text('institution_id'),
    scope: text('scope').notNull(),
    version: integer('version').notNull(),
    title: text('title').notNull(),
    body: text('body').notNull(),
    /** what changed from the previous version, shown when a borrower is asked to agree again */
    changes: text('changes').notNull().default(''),
    status: text('status', { enum: templateStatusValues }).notNull(),
    reviewNote: text('review_note').notNull().default(''),
    createdBy: text('created_by'),
    reviewedBy: text('reviewed_by'),
    approvedAt: timestamp('approved_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('contract_templates_version_uq').on(t.kind, t.scope, t.version), index('contract_templates_status_idx').on(t.status)],
);

/** A signed contract: the rendered PDF lives encrypted in the blob store under `storage_key`. */
export const contracts = pgTable(
  'contracts',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: contractKindValues }).notNull(),
    title: text('title').notNull(),
    templateId: text('template_id').notNull(),
    templateVersion: integer('template_version').notNull(),
    institutionId: text('institution_id'),
    consumerId: text('consumer_id'),
    /** what it was signed for: an offer, an application, an agreement version */
    subjectId: text('subject_id'),
    signerAccountId: text('signer_account_id').notNull(),
    sha256: text('sha256').notNull(),
    size: integer('size').notNull(),
    storageKey: text('storage_key').notNull(),
    signedAt: timestamp('signed_at', { withTimezone: true }).notNull(),
  },
  (t) => [
    index('contracts_consumer_idx').on(t.consumerId),
    index('contracts_institution_idx').on(t.institutionId),
    // one contract of a kind per subject: one 借款合同 per application, one 授权书 per consent, one 合作协议 per agreement version
    uniqueIndex('contracts_subject_uq').on(t.kind, t.subjectId),
  ],
);

/**
 * The evidence of each signature, one chain for the whole platform: `chain_hash` =
 * sha256(prev_chain_hash || canonical JSON of the row and its contract). Changing a stored file,
 * a contract row or an evidence row, or deleting a row, breaks a hash that verification recomputes.
 */
export const contractEvidence = pgTable(
  'contract_evidence',
  {
    seq: bigserial('seq', { mode: 'number' }).primaryKey(),
    contractId: text('contract_id').notNull(),
    signerAccountId: text('signer_account_id').notNull(),
    signedAt: timestamp('signed_at', { withTimezone: true }).notNull(),
    ip: text('ip').notNull(),
    deviceHash: text('device_hash').notNull(),
    door: text('door').notNull(),
    documentSha256: text('document_sha256').notNull(),
    templateId: text('template_id').notNull(),
    templateVersion: integer('template_version').notNull(),
    smsConfirmed: boolean('sms_confirmed').notNull(),
    prevChainHash: text('prev_chain_hash').notNull(),
    chainHash: text('chain_hash').notNull(),
  },
  (t) => [uniqueIndex('contract_evidence_contract_uq').on(t.contractId)],
);

/** Which version of the 用户协议 and 隐私政策 an account agreed to, and when. */
export const agreementAcceptances = pgTable(
  'agreement_acceptances',
  {
    id: text('id').primaryKey(),
    accountId: text('account_id').notNull(),
    kind: text('kind', { enum: ['user_agreement', 'privacy_policy'] }).notNull(),
    version: integer('version').notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }).notNull(),
    ip: text('ip').notNull().default(''),
  },
  (t) => [uniqueIndex('agreement_acceptances_uq').on(t.accountId, t.kind, t.version)],
);
