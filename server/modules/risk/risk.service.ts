import type { Database } from '../../db/client';
import type { PiiCipher } from '../../lib/pii';
import { withTransaction, type Tx, type WriteBatch } from '../../lib/tx';
import { RiskRepository, type RiskFlagRow } from './risk.repository';

export interface RiskThresholds {
  /** more accounts than this on one device raise "shared_device" */
  maxAccountsPerDevice: number;
  /** more applications than this in 24 hours raise "application_burst" */
  maxApplicationsPerDay: number;
}

export const riskFlagLabels = {
  shared_device: '同一设备注册或申请的账号过多',
  application_burst: '短时间内提交的申请过多',
  id_phone_mismatch: '身份证号已绑定其他手机号',
  loan_overdue: '已放款的贷款逾期',
} as const;
export type RiskFlagCode = keyof typeof riskFlagLabels;

export type RiskFlag = RiskFlagRow & { label: string };

/** Where a registration or an application came from: the device key and the address. */
export interface RiskSignal {
  device: string;
  ip: string;
}

export interface RiskServiceDeps {
  db: Database;
  pii: PiiCipher;
  /** the thresholds in force (system parameters, defaulting to the environment's) */
  thresholds: () => Promise<RiskThresholds>;
}

/**
 * Anti-fraud basics: the device and address of every registration and application (as keyed
 * hashes), and flags when one device serves many accounts, one consumer applies too often,
 * or an ID number bound to another phone is tried. Flags inform; they do not decide.
 */
export class RiskService {
  /** the thresholds in force (system parameters, defaulting to the environment's) */
  readonly thresholds: () => Promise<RiskThresholds>;

  private readonly risk: RiskRepository;

  constructor(private readonly deps: RiskServiceDeps) {
    this.thresholds = deps.thresholds;
    this.risk = new RiskRepository(deps.db);
  }

  private hashes(device: string, ip: string) {
    return { deviceHash: this.deps.pii.blindIndex(`device:${device}`), ipHash: this.deps.pii.blindIndex(`ip:${ip}`) };
  }

  private async flag(tx: Tx, accountId: string, code: RiskFlagCode, detail: Record<string, unknown>): Promise<void> {
    // one flag per account and code a day is enough to see it
    await this.risk.insertFlagOncePerDay(tx, { accountId, code, detail });
  }

  /**
   * A registration's device and address, in the registration's transaction, and the shared_device
   * flags they raise (RiskRepository.recordSignals). `thresholds` are read before it opens
   * (`await risk.thresholds()`): they come from the settings, outside the transaction.
   */
  async recordRegistration(tx: Tx, accountId: string, signal: RiskSignal, thresholds: RiskThresholds): Promise<void> {
    const h = this.hashes(signal.device, signal.ip);
    await this.risk.recordSignals(tx, [{ kind: 'registration', accountId, ...h }], thresholds);
  }

  /**
   * A submission's applications with their device and address, in the submission's transaction
   * or its write batch (thresholds as above): the signals and the flags they raise are one write,
   * whose own reads count (RiskRepository.recordSignals), so nothing is read before it.
   */
  async recordApplications(tx: Tx | WriteBatch, accountId: string, applicationIds: string[], signal: RiskSignal, thresholds: RiskThresholds): Promise<void> {
    if (applicationIds.length === 0) return;
    const h = this.hashes(signal.device, signal.ip);
    await this.risk.recordSignals(
      tx,
      applicationIds.map((applicationId) => ({ kind: 'application' as const, accountId, applicationId, ...h })),
      thresholds,
    );
  }

  /** A disbursed loan of this consumer went overdue (recorded by the loans job, at most once a day). */
  async flagOverdue(accountId: string, detail: { loanId: string; days: number; stage: string }): Promise<void> {
    await withTransaction(this.deps.db, (tx) => this.flag(tx, accountId, 'loan_overdue', detail));
  }

  /** An ID number bound to another account was tried: recorded on its own, after the refused verification rolled back. */
  async flagIdPhoneMismatch(accountId: string): Promise<void> {
    await withTransaction(this.deps.db, (tx) => this.flag(tx, accountId, 'id_phone_mismatch', {}));
  }

  async flagsFor(accountId: string): Promise<RiskFlag[]> {
    const rows = await this.risk.flagsOf(accountId);
    return rows.map((r) => ({ ...r, label: riskFlagLabels[r.code] }));
  }

  async recentFlags(limit = 200): Promise<RiskFlag[]> {
    const rows = await this.risk.recentFlags(limit);
    return rows.map((r) => ({ ...r, label: riskFlagLabels[r.code] }));
  }
}
