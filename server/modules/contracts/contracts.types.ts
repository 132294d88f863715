import type { contractEvidence, contractKindValues, contractTemplates, contracts, templateStatusValues } from './contracts.schema';

export type ContractKind = (typeof contractKindValues)[number];
export type TemplateStatus = (typeof templateStatusValues)[number];
export type ContractTemplate = typeof contractTemplates.$inferSelect;
export type ContractRow = typeof contracts.$inferSelect;
export type EvidenceRow = typeof contractEvidence.$inferSelect;
export type AgreementKind = 'user_agreement' | 'privacy_policy';

export const contractKindLabels: Record<ContractKind, string> = {
  user_agreement: '用户协议',
  privacy_policy: '隐私政策',
  authorization: '个人信息授权书',
  loan_contract: '借款合同',
  cooperation: '合作协议',
};

export const templateStatusLabels: Record<TemplateStatus, string> = {
  draft: '草稿',
  pending_review: '待审核',
  approved: '已生效',
  rejected: '已退回',
  retired: '已停用',
};

/** What verification found wrong, by check. */
export type VerifyFailure = 'file_hash_mismatch' | 'file_unreadable' | 'evidence_missing' | 'evidence_row_changed' | 'chain_broken';

export const verifyFailureLabels: Record<VerifyFailure, string> = {
  file_hash_mismatch: '文件摘要不符（文件被改动）',
  file_unreadable: '文件无法读取或解密',
  evidence_missing: '缺少签署证据',
  evidence_row_changed: '合同或证据记录被改动',
  chain_broken: '证据链断裂（有记录被删除或替换）',
};

export interface VerifyResult {
  contractId: string;
  ok: boolean;
  failures: VerifyFailure[];
}

export interface VerifyAllResult {
  ok: boolean;
  checked: number;
  failed: VerifyResult[];
  /** evidence rows whose contract row is gone */
  orphanEvidence: string[];
}
