import { eq } from 'drizzle-orm';
import { sqlState, UNIQUE_VIOLATION, type Database } from '../../db/client';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { luhnValid, maskBankCard, maskIdNumber, maskName, type PiiCipher } from '../../lib/pii';
import { withTransaction } from '../../lib/tx';
import type { AccountsService } from '../accounts';
import type { AuditActor, AuditEntry, AuditService } from '../audit';
import type { RiskService } from '../risk';
import { ageFromIdNumber, idNumberFacts, idNumberProblem } from './id-number';
import { bankCards, consumerIdentities } from './identity.schema';
import type { VerificationProvider } from './verification';
import type { Clock } from '../../lib/clock';

export interface IdentitySummary {
  verified: boolean;
  realNameMasked?: string;
  idNumberMasked?: string;
  age?: number;
  verifiedAt?: Date;
}

/** A verified identity as stored (encrypted). */
export type IdentityRow = typeof consumerIdentities.$inferSelect;

/** What a consented release knows of the identity: the summary, and `reveal` (null when not verified). */
export interface IdentityRelease {
  summary: IdentitySummary;
  reveal: ((reason: string) => { realName: string; idNumber: string; audit: AuditEntry }) | null;
}

const NAME_PATTERN = /^[\p{Script=Han}·]{2,20}$/u;

export interface IdentityServiceDeps {
  accounts: AccountsService;
  risk: RiskService;
  clock: Clock;
  db: Database;
  pii: PiiCipher;
  provider: VerificationProvider;
  audit: AuditService;
}

/** Real-name verification: name + ID number, checked by a provider, kept encrypted. */
export class IdentityService {
  constructor(private readonly deps: IdentityServiceDeps) {}

  /**
   * 实名认证, the whole use case for both doors: the checks, the provider, then the identity, its
   * audit row and the age in the profile commit together. A refusal by the provider, or an ID
   * number already verified by another account, leaves its own audit row (and, for the latter,
   * a risk flag) after the rest rolled back.
   */
  async verify(accountId: string, input: { realName: string; idNumber: string }, actor: AuditActor): Promise<IdentitySummary> {
    const realName = input.realName.trim();
    const idNumber = input.idNumber.trim().toUpperCase();
    const fields: Record<string, string> = {};
    if (!NAME_PATTERN.test(realName)) fields.realName = '请输入身份证上的中文姓名';
    const idProblem = idNumberProblem(idNumber);
    if (idProblem) fields.idNumber = idProblem;
    else if (ageFromIdNumber(idNumber) < 18) fields.idNumber = '未满 18 周岁不能申请贷款';
    if (Object.keys(fields).length) throw new ValidationError('实名信息有误', fields);

    const existing = await this.summary(accountId);
    if (existing.verified) throw new ConflictError('already_verified', '你已完成实名认证', { idNumber: '已实名认证，如需更改请联系客服' });

    const result = await this.deps.provider.verify({ realName, idNumber });
    const detail = { provider: this.deps.provider.name, reference: result.reference };
    if (!result.matched) {
      await this.deps.audit.recordNow(actor, { action: 'identity.mismatch', objectType: 'account', objectId: accountId, detail });
      throw new ValidationError('姓名与身份证号不一致', { realName: '姓名与身份证号不一致，请核对', idNumber: '姓名与身份证号不一致，请核对' });
    }
    try {
      await withTransaction(this.deps.db, async (tx) => {
        await tx.insert(consumerIdentities).values({
          accountId,
          realNameEnc: this.deps.pii.encrypt(realName),
          realNameMasked: maskName(realName),
          idNumberEnc: this.deps.pii.encrypt(idNumber),
          idNumberHash: this.deps.pii.blindIndex(`id-number:${idNumber}`),
          idNumberMasked: maskIdNumber(idNumber),
          birthYear: Number(idNumberFacts(idNumber).birthDate.slice(0, 4)),
          provider: this.deps.provider.name,
          providerRef: result.reference,
        });
        await this.deps.audit.record(actor, { action: 'identity.verified', objectType: 'account', objectId: accountId, detail }, tx);
        await this.deps.accounts.saveProfile(accountId, { age: ageFromIdNumber(idNumber) }, tx);
      });
    } catch (err) {
      if (sqlState(err) !== UNIQUE_VIOLATION) throw err;
      await this.deps.audit.recordNow(actor, { action: 'identity.id_in_use', objectType: 'account', objectId: accountId, detail });
      await this.deps.risk.flagIdPhoneMismatch(accountId);
      throw new ConflictError('id_in_use', '该身份证号已被其他账号认证', { idNumber: '该身份证号已被其他账号认证，如有疑问请联系客服' });
    }
    return this.summary(accountId);
  }

  /** Verified or not, masked, and the exact age today (from the encrypted ID number, opened here and never shown). */
  async summary(accountId: string, now = this.deps.clock.now()): Promise<IdentitySummary> {
    const [row] = await this.deps.db.select().from(consumerIdentities).where(eq(consumerIdentities.accountId, accountId));
    return this.summaryOf(row, now);
  }

  /**
   * For a consented release (a submission), from one read: the summary, and `reveal` opening the
   * clear values with the audit entry of that reveal, which the caller records in the transaction
   * that releases them (`audit.recordMany`). `reveal` is null when the consumer is not verified.
   */
  async forRelease(accountId: string, now = this.deps.clock.now()): Promise<IdentityRelease> {
    const [row] = await this.deps.db.select().from(consumerIdentities).where(eq(consumerIdentities.accountId, accountId));
    return this.releaseFrom(accountId, row, now);
  }

  /** `forRelease` on a row the caller read with its own (ApplicationsRepository.submissionFacts); no row: not verified. */
  releaseFrom(accountId: string, row: IdentityRow | null | undefined, now = this.deps.clock.now()): IdentityRelease {
    return {
      summary: this.summaryOf(row ?? undefined, now),
      reveal: row
        ? (reason) => ({
            realName: this.deps.pii.decrypt(row.realNameEnc),
            idNumber: this.deps.pii.decrypt(row.idNumberEnc),
            audit: { action: 'identity.revealed', objectType: 'account', objectId: accountId, detail: { reason } },
          })
        : null,
    };
  }

  private summaryOf(row: typeof consumerIdentities.$inferSelect | undefined, now: Date): IdentitySummary {
    if (!row) return { verified: false };
    return {
      verified: true,
      realNameMasked: row.realNameMasked,
      idNumberMasked: row.idNumberMasked,
      age: ageFromIdNumber(this.deps.pii.decrypt(row.idNumberEnc), now),
      verifiedAt: row.verifiedAt,
    };
  }

  /** The clear values, for the consumer revealing their own (audited) or for a consented release. */
  async reveal(accountId: string, actor: AuditActor, reason: string): Promise<{ realName: string; idNumber: string }> {
    const [row] = await this.deps.db.select().from(consumerIdentities).where(eq(consumerIdentities.accountId, accountId));
    if (!row) throw new NotFoundError('实名信息');
    await this.deps.audit.recordNow(actor, { action: 'identity.revealed', objectType: 'account', objectId: accountId, detail: { reason } });
    return { realName: this.deps.pii.decrypt(row.realNameEnc), idNumber: this.deps.pii.decrypt(row.idNumberEnc) };
  }

  /** Erases the identity (account closing), in the caller's transaction. */
  async erase(tx: Database, accountId: string): Promise<void> {
    await tx.delete(consumerIdentities).where(eq(consumerIdentities.accountId, accountId));
    await tx.delete(bankCards).where(eq(bankCards.accountId, accountId));
  }

  /** Saves the card disbursements go to: Luhn-checked, encrypted, shown masked. */
  async saveBankCard(accountId: string, raw: string, actor: AuditActor): Promise<{ cardMasked: string }> {
    const card = raw.replace(/[\s-]/g, '');
    if (!luhnValid(card)) throw new ValidationError('银行卡号有误', { cardNumber: '请输入正确的银行卡号（12–19 位数字）' });
    const values = { cardEnc: this.deps.pii.encrypt(card), cardMasked: maskBankCard(card), updatedAt: this.deps.clock.now() };
    await withTransaction(this.deps.db, async (tx) => {
      await tx.insert(bankCards).values({ accountId, ...values }).onConflictDoUpdate({ target: bankCards.accountId, set: values });
      await this.deps.audit.record(actor, { action: 'bank_card.saved', objectType: 'account', objectId: accountId }, tx);
    });
    return { cardMasked: values.cardMasked };
  }

  async bankCard(accountId: string): Promise<{ cardMasked: string } | null> {
    const [row] = await this.deps.db.select({ cardMasked: bankCards.cardMasked }).from(bankCards).where(eq(bankCards.accountId, accountId));
    return row ?? null;
  }

  async revealBankCard(accountId: string, actor: AuditActor): Promise<string> {
    const [row] = await this.deps.db.select().from(bankCards).where(eq(bankCards.accountId, accountId));
    if (!row) throw new NotFoundError('银行卡');
    await this.deps.audit.recordNow(actor, { action: 'bank_card.revealed', objectType: 'account', objectId: accountId });
    return this.deps.pii.decrypt(row.cardEnc);
  }
}
