import type { Database } from '../../db/client';
import type { PiiCipher } from '../../lib/pii';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { Fen } from '../../lib/money';
import { withTransaction, type Tx, type WriteBatch } from '../../lib/tx';
import { openDisplayName } from '../accounts';
import type { AuditActor, AuditService } from '../audit';
import { accrueBatch, reverse, type Accrual, type AccrualEvent, type Agreement, type PostedCommission, type ReversalResult } from './accrual';
import { AccrualRepository } from './accrual.repository';
import { AgreementsRepository } from './agreements.repository';
import { inForceAt, planNewVersion, termProblems, type AgreementTier } from './commission';
import { journalsFor, type JournalWithEntries } from './ledger';
import { LedgerRepository } from './ledger.repository';
import type { Clock } from '../../lib/clock';
import { listenOnChannel, type ChannelListener } from '../../adapters/postgres';
import { accrueAfterQueued, COMMISSION_OUTBOX_CHANNEL, drainAccruals, queueAccruals } from './commission-outbox';

export type { Agreement, PostedCommission, ReversalResult, Accrual, AccrualEvent };

/** A new agreement version: the terms default to nothing extra (no tiers, no caps, 30-day reversal window). */
export interface AgreementInput {
  institutionId: string;
  cplFen?: Fen;
  cpaFen: Fen;
  cpsRate: string;
  tiers?: AgreementTier[];
  cpsEventCapFen?: Fen | null;
  cplMonthlyCapFen?: Fen | null;
  cpaMonthlyCapFen?: Fen | null;
  cpsMonthlyCapFen?: Fen | null;
  reversalWindowDays?: number;
  effectiveFrom: Date;
  effectiveTo?: Date | null;
  note?: string;
}

export type AgreementVersion = Agreement & { createdByName: string | null };

export interface AccrualView extends Accrual {
  reversed: { reason: string; reversedAt: Date; journalId: string | null } | null;
}

const systemActor: AuditActor = { kind: 'system', id: 'settlement' };

export interface SettlementServiceDeps {
  clock: Clock;
  db: Database;
  /** opens the names of the staff who created each agreement version */
  pii: PiiCipher;
  audit?: AuditService;
}

export class SettlementService {
  private readonly agreements: AgreementsRepository;
  private readonly accruals: AccrualRepository;
  private readonly ledger: LedgerRepository;

  /** opens the names of the staff who created each agreement version */

  constructor(private readonly deps: SettlementServiceDeps) {
    this.agreements = new AgreementsRepository(deps.db);
    this.accruals = new AccrualRepository(deps.db);
    this.ledger = new LedgerRepository(deps.db);
  }

  /**
   * Adds a version of an institution's agreement. The institution's row is locked for the
   * transaction, so two versions created at once are placed one after the other and can never
   * overlap. Once a version is in force it is immutable: a change is a new version from a future
   * date, and the version before it ends where the new one begins. Audited.
   */
  async createAgreement(input: AgreementInput, options: { actor?: AuditActor; now?: Date } = {}): Promise<Agreement> {
    const terms = {
      cplFen: input.cplFen ?? 0,
      cpaFen: input.cpaFen,
      cpsRate: input.cpsRate,
      tiers: input.tiers ?? [],
      cpsEventCapFen: input.cpsEventCapFen ?? null,
      cplMonthlyCapFen: input.cplMonthlyCapFen ?? null,
      cpaMonthlyCapFen: input.cpaMonthlyCapFen ?? null,
      cpsMonthlyCapFen: input.cpsMonthlyCapFen ?? null,
      reversalWindowDays: input.reversalWindowDays ?? 30,
    };
    const problems = termProblems(terms);
    if (Object.keys(problems).length) throw new ValidationError('协议条款有误', problems);
    const actor = options.actor ?? systemActor;
    return withTransaction(this.deps.db, async (tx) => {
      if (!(await this.agreements.lockInstitution(tx, input.institutionId))) throw new NotFoundError('机构');
      const existing = await this.agreements.ofInstitution(input.institutionId, tx);
      const plan = planNewVersion(existing, { effectiveFrom: input.effectiveFrom, effectiveTo: input.effectiveTo ?? null }, options.now ?? this.deps.clock.now());
      if ('refused' in plan) {
        const { field, reason, conflict } = plan.refused;
        if (conflict) throw new ConflictError('agreement_overlap', reason, { [field]: reason });
        throw new ValidationError(reason, { [field]: reason });
      }
      if (plan.truncate) {
        await this.agreements.setEnd(tx, plan.truncate.id, plan.truncate.effectiveTo);
      }
      const created = await this.agreements.insert(tx, {
        id: newId('agr'),
        institutionId: input.institutionId,
        version: plan.version,
        ...terms,
        effectiveFrom: input.effectiveFrom,
        effectiveTo: input.effectiveTo ?? null,
        note: input.note ?? '',
        createdBy: actor.kind === 'operator' ? (actor.id ?? null) : null,
      });
      await this.deps.audit?.record(
        actor,
        {
          action: 'agreement.created',
          objectType: 'institution',
          objectId: input.institutionId,
          detail: { agreementId: created.id, version: plan.version, ...terms, effectiveFrom: input.effectiveFrom, effectiveTo: input.effectiveTo ?? null, endedVersion: plan.truncate?.id ?? null },
        },
        tx,
      );
      return created;
    });
  }

  agreementInForce(institutionId: string, at: Date, tx: Database = this.deps.db): Promise<Agreement | undefined> {
    return this.agreements.inForce(institutionId, at, tx);
  }

  /** Every version of an institution's agreement, newest first, with who created it. */
  async agreementsOf(institutionId: string): Promise<AgreementVersion[]> {
    const rows = await this.agreements.versionsWithCreator(institutionId);
    return rows.map((r) => ({ ...r.agreement, createdByName: r.createdByNameEnc ? openDisplayName(this.deps.pii, r.createdByNameEnc) : null }));
  }

  /** Each institution with the version in force at `at` and the next one scheduled after it. */
  async agreementOverview(at = this.deps.clock.now()): Promise<{ institutionId: string; institutionName: string; current?: Agreement; next?: Agreement; versions: number }[]> {
    const [list, all] = await Promise.all([this.agreements.institutionNames(), this.agreements.all()]);
    return list.map((i) => {
      const versions = all.filter((a) => a.institutionId === i.id);
      return {
        institutionId: i.id,
        institutionName: i.name,
        current: inForceAt(versions, at),
        next: versions.find((a) => a.effectiveFrom.getTime() > at.getTime()),
        versions: versions.length,
      };
    });
  }

  /**
   * Accrues the commission an application event earns (CPL on delivery, CPA on approval, CPS on
   * disbursement) in the caller's transaction, exactly once per source event, after the events
   * still queued for the same application (its CPL accrues before its CPA).
   */
  accrue(tx: Tx, event: AccrualEvent): Promise<PostedCommission | null> {
    return accrueAfterQueued(tx, event);
  }

  /**
   * Accrues many events in the caller's transaction, with exactly what `accrue` called once per
   * event in the same order gives (one lock per institution and month, set-based writes): for
   * imports, backfills and the settlement benchmark. The ledger gets one journal per institution
   * and month of the batch (`commission_batch`, one entry pair per rule), which each accrual
   * references. Results in event order.
   */
  accrueBatch(tx: Tx, events: readonly AccrualEvent[]): Promise<(PostedCommission | null)[]> {
    return accrueBatch(tx, events, { journals: 'per-batch' });
  }

  /**
   * Queues events to accrue after the caller's transaction commits (the CPL of submitted
   * applications): one insert, no month lock, so submissions to one institution never wait for
   * each other. The commission drainer accrues them at once; whoever reads commission totals
   * drains first (`drainAccruals({ wait: true })`).
   */
  queueAccruals(tx: Tx | WriteBatch, events: readonly AccrualEvent[]): Promise<void> {
    return queueAccruals(tx, events);
  }

  /**
   * Accrues the queued events, in batches (`accrueBatch`), each exactly once; the number accrued.
   * `wait: true` also waits for those another drain is accruing, so that afterwards every event
   * queued by a transaction that committed before the call has its accrual.
   */
  drainAccruals(options: { wait?: boolean } = {}): Promise<number> {
    return drainAccruals(this.deps.db, options);
  }

  /** LISTENs for commits that queued events (`queueAccruals`' NOTIFY); `onCommit` runs for each, and when the listen (re)starts. */
  listenForQueuedAccruals(onCommit: () => void): ChannelListener {
    return listenOnChannel(this.deps.db, COMMISSION_OUTBOX_CHANNEL, onCommit);
  }

  /** Reverses an accrual within its window, in the caller's transaction; null when there is none. */
  reverseIn(tx: Tx, sourceKey: string, reason: string, options: { at: Date; actorId?: string | null }): Promise<ReversalResult | null> {
    return reverse(tx, sourceKey, reason, options);
  }

  /** An operator reverses a commission (a cancelled disbursement, …) with a reason; audited. */
  async reverse(sourceKey: string, reason: string, actor: AuditActor, at = this.deps.clock.now()): Promise<ReversalResult> {
    if (!reason.trim()) throw new ValidationError('请填写冲回原因', { reason: '请填写冲回原因' });
    return withTransaction(this.deps.db, async (tx) => {
      const result = await reverse(tx, sourceKey, reason.trim(), { at, actorId: actor.id ?? null });
      if (!result) throw new NotFoundError('佣金');
      if (result.outcome === 'outside_window') {
        throw new ConflictError('reversal_window_closed', '已超过协议约定的冲回期限，不能冲回', { sourceKey: '已超过冲回期限' });
      }
      if (result.outcome === 'reversed') {
        await this.deps.audit?.record(actor, { action: 'commission.reversed', objectType: 'commission', objectId: sourceKey, detail: { reason, journalId: result.journalId, amountFen: result.amountFen } }, tx);
      }
      return result;
    });
  }

  /** An application's accruals, with their reversal when there is one. */
  async accrualsForApplication(applicationId: string): Promise<AccrualView[]> {
    await this.drainAccruals({ wait: true });
    const rows = await this.accruals.withReversalsForApplication(applicationId);
    return rows.map((r) => ({
      ...r.accrual,
      reversed: r.reversal ? { reason: r.reversal.reason, reversedAt: r.reversal.reversedAt, journalId: r.reversal.journalId } : null,
    }));
  }

  async journalsForApplication(applicationId: string): Promise<JournalWithEntries[]> {
    await this.drainAccruals({ wait: true });
    return journalsFor(this.deps.db, { applicationId });
  }

  /** Folds the receivable balances kept by the database (the `receivables-fold` ticker); returns the rows folded. */
  foldReceivables(): Promise<number> {
    return this.ledger.foldReceivables();
  }

  /** What each institution owes the platform: the balance of its receivable account. */
  async receivables(): Promise<{ institutionId: string; institutionName: string; amountFen: Fen }[]> {
    await this.drainAccruals({ wait: true });
    const rows = await this.ledger.receivablesByInstitution();
    return rows.map((r) => ({ institutionId: r.institutionId, institutionName: r.institutionName, amountFen: Number(r.total) }));
  }
}
