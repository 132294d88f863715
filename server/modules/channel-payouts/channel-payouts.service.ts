import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { formatYuan, type Fen } from '../../lib/money';
import type { PiiCipher } from '../../lib/pii';
import { withTransaction } from '../../lib/tx';
import { openDisplayName } from '../accounts';
import type { AuditActor, AuditService } from '../audit';
import { conversionsBetween, type ConversionKind } from '../channels';
import { riskFlagLabels } from '../risk';
import { accountNames, drainAccruals, postJournal, shanghaiDate, shanghaiMonth } from '../settlement';
import {
  ChannelPayoutsRepository,
  type ChannelAgreement,
  type ChannelLineDisputeRow,
  type ChannelPayable,
  type ChannelPaymentRow,
  type ChannelStatementLineRow,
  type ChannelStatementRow,
} from './channel-payouts.repository';
import {
  burstAround,
  BURST_WINDOW_MS,
  evidenceText,
  exclusionLabels,
  pays,
  payoutRules,
  payoutFor,
  payoutRuleLabels,
  termProblems,
  withinWindow,
  type ChannelTerms,
  type InvalidTraffic,
  type PayoutRule,
  type PerEventTerms,
  type ReversalCause,
} from './payout';

export type { ChannelAgreement, ChannelPayable };

/** The ledger accounts of channel payouts (settlement's naming: `<kind>:<party>:<id>`). */
export const channelAccounts = {
  /** what the platform owes one channel (credit balance) */
  payable: (channelId: string) => `payable:channel:${channelId}`,
  /** the cost of acquiring borrowers through channels, per payout rule */
  expense: (rule: PayoutRule) => `expense:channel-acquisition:${rule}`,
  /** corrections agreed on a channel's dispute */
  adjustments: 'expense:channel-acquisition:adjustment',
};

/** Risk flag codes that mark an account as invalid traffic (an overdue loan is a credit outcome, not fraud). */
export const invalidTrafficFlags = ['shared_device', 'application_burst', 'id_phone_mismatch'] as const;

export interface ChannelAgreementInput {
  channelId: string;
  perEvent?: PerEventTerms[];
  shareRate?: string;
  monthlyCapFen?: Fen | null;
  reversalWindowDays?: number;
  effectiveFrom: Date;
  effectiveTo?: Date | null;
  note?: string;
}

export type ChannelAgreementVersion = ChannelAgreement & { createdByName: string | null };

/** One payable source event: a conversion, or a commission accrual on the borrower's application. */
export interface PayoutSourceEvent {
  rule: PayoutRule;
  sourceId: string;
  accountId: string;
  channelId: string;
  subId: string;
  at: Date;
  applicationId: string | null;
  commissionFen?: Fen;
}

export type PostOutcome = 'posted' | 'excluded' | 'existing' | 'not_paid';

export interface PayablesRun {
  from: Date;
  to: Date;
  read: number;
  posted: number;
  excluded: number;
  reversed: number;
}

export interface ChannelStatementSummary extends ChannelStatementRow {
  channelName: string;
  channelCode: string;
  openDisputes: number;
  paidFen: Fen;
}

export type ChannelStatementLine = ChannelStatementLineRow & { dispute: ChannelLineDisputeRow | null; ruleLabel: string };

/** Per rule: paid events and the net amount (payables less reversals); per invalid-traffic reason: excluded events. */
export interface ChannelStatementSubtotals {
  rules: { rule: PayoutRule; label: string; count: number; amountFen: Fen }[];
  adjustmentsFen: Fen;
  excluded: { code: InvalidTraffic['code']; label: string; count: number }[];
}

function statementSubtotals(lines: ChannelStatementLineRow[]): ChannelStatementSubtotals {
  const rules = new Map<PayoutRule, { count: number; amountFen: Fen }>();
  const excluded = new Map<InvalidTraffic['code'], number>();
  let adjustmentsFen = 0;
  for (const l of lines) {
    if (l.kind === 'adjustment') adjustmentsFen += l.amountFen;
    else if (l.kind === 'excluded' && l.evidence) excluded.set(l.evidence.code, (excluded.get(l.evidence.code) ?? 0) + 1);
    else if (l.rule) {
      const r = rules.get(l.rule) ?? { count: 0, amountFen: 0 };
      r.amountFen += l.amountFen;
      if (l.kind === 'payable') r.count += 1;
      rules.set(l.rule, r);
    }
  }
  return {
    rules: payoutRules.filter((r) => rules.has(r)).map((r) => ({ rule: r, label: payoutRuleLabels[r], ...rules.get(r)! })),
    adjustmentsFen,
    excluded: [...excluded].map(([code, count]) => ({ code, label: exclusionLabels[code], count })),
  };
}

export interface ChannelStatementDetail extends ChannelStatementSummary {
  lines: ChannelStatementLine[];
  subtotals: ChannelStatementSubtotals;
  payment: ChannelPaymentRow | null;
}

export interface ChannelThresholds {
  maxAccountsPerDevice: number;
  burstPerTenMinutes: number;
}

export interface ChannelPayoutsServiceDeps {
  db: Database;
  pii: PiiCipher;
  audit: AuditService;
  clock: Clock;
  /** risk.maxAccountsPerDevice and channels.burstPerTenMinutes as the settings have them */
  thresholds: () => Promise<ChannelThresholds>;
}

const systemActor: AuditActor = { kind: 'system', id: 'channel-payouts' };
const WATERMARK = 'channel-payables';
/** each tick re-reads this much before its watermark (late-recorded events) */
export const TRAILING_MS = 24 * 3600_000;
const DAY_MS = 24 * 3600_000;

const sourceKeyOf = (rule: PayoutRule, sourceId: string) => `chpay:${rule}:${sourceId}`;
const reversalKeyOf = (sourceKey: string) => `rev:${sourceKey}`;
const exclusionKeyOf = (sourceKey: string) => `excl:${sourceKey}`;

const termsOf = (a: ChannelAgreement): ChannelTerms => ({ perEvent: a.perEvent, shareRate: a.shareRate, monthlyCapFen: a.monthlyCapFen, reversalWindowDays: a.reversalWindowDays });

/**
 * Channel agreements and payouts: versioned agreements per channel; payables posted to the
 * settlement ledger once per (rule, source event) by the `channel-payables` ticker, or excluded
 * with evidence when the account is invalid traffic; reversals within the agreement's window;
 * monthly channel statements with disputes and the payment recorded by finance.
 */
export class ChannelPayoutsService {
  private readonly repo: ChannelPayoutsRepository;

  constructor(private readonly deps: ChannelPayoutsServiceDeps) {
    this.repo = new ChannelPayoutsRepository(deps.db);
  }

  // ---- agreements ----------------------------------------------------------------------------

  /**
   * Adds a version of a channel's agreement, under the channel's row lock. The first version may
   * start at any date; later ones start in the future, after the latest one, which ends where the
   * new one begins (versions never overlap, one in force never changes). Audited.
   */
  async createAgreement(input: ChannelAgreementInput, options: { actor?: AuditActor; now?: Date } = {}): Promise<ChannelAgreement> {
    const terms: ChannelTerms = {
      perEvent: (input.perEvent ?? []).map((r) => ({ rule: r.rule, amountFen: r.amountFen, tiers: [...r.tiers].sort((a, b) => a.fromCount - b.fromCount) })),
      shareRate: input.shareRate ?? '0',
      monthlyCapFen: input.monthlyCapFen ?? null,
      reversalWindowDays: input.reversalWindowDays ?? 30,
    };
    const problems = termProblems(terms);
    if (input.effectiveTo && input.effectiveTo.getTime() <= input.effectiveFrom.getTime()) problems.effectiveTo = '结束日期必须晚于生效日期';
    if (Object.keys(problems).length) throw new ValidationError('渠道协议条款有误', problems);
    const actor = options.actor ?? systemActor;
    const now = options.now ?? this.deps.clock.now();
    return withTransaction(this.deps.db, async (tx) => {
      if (!(await this.repo.lockChannel(tx, input.channelId))) throw new NotFoundError('渠道');
      const existing = await this.repo.agreementsOf(input.channelId, tx);
      const version = existing.reduce((max, v) => Math.max(max, v.version), 0) + 1;
      const latest = existing[0];
      let ended: string | null = null;
      if (latest) {
        if (input.effectiveFrom.getTime() <= now.getTime()) {
          throw new ValidationError('已有协议，新版本只能从未来的日期开始', { effectiveFrom: '已有协议，新版本只能从未来的日期开始' });
        }
        if (input.effectiveFrom.getTime() <= latest.effectiveFrom.getTime()) {
          const reason = `与第 ${latest.version} 版的有效期重叠：新版本须晚于 ${shanghaiDate(latest.effectiveFrom)} 开始`;
          throw new ConflictError('agreement_overlap', reason, { effectiveFrom: reason });
        }
        if (latest.effectiveTo === null || latest.effectiveTo.getTime() > input.effectiveFrom.getTime()) {
          await this.repo.endAgreement(tx, latest.id, input.effectiveFrom);
          ended = latest.id;
        }
      }
      const created = await this.repo.insertAgreement(tx, {
        id: newId('cha'),
        channelId: input.channelId,
        version,
        perEvent: terms.perEvent,
        shareRate: terms.shareRate,
        monthlyCapFen: terms.monthlyCapFen,
        reversalWindowDays: terms.reversalWindowDays,
        effectiveFrom: input.effectiveFrom,
        effectiveTo: input.effectiveTo ?? null,
        note: input.note ?? '',
        createdBy: actor.kind === 'operator' ? (actor.id ?? null) : null,
      });
      // a first version may start in the past: the next tick reads the events since its start again
      if (input.effectiveFrom.getTime() < now.getTime()) await this.repo.rewindWatermark(tx, WATERMARK, input.effectiveFrom);
      await this.deps.audit.record(
        actor,
        {
          action: 'channel_agreement.created',
          objectType: 'channel',
          objectId: input.channelId,
          detail: { agreementId: created.id, version, ...terms, effectiveFrom: input.effectiveFrom, effectiveTo: input.effectiveTo ?? null, endedVersion: ended },
        },
        tx,
      );
      return created;
    });
  }

  /** Every version of a channel's agreement, newest first, with who created it; 404 for no such channel. */
  async agreementsOf(channelId: string): Promise<ChannelAgreementVersion[]> {
    if (!(await this.repo.channel(channelId))) throw new NotFoundError('渠道');
    const rows = await this.repo.agreementsWithCreator(channelId);
    return rows.map((r) => ({ ...r.agreement, createdByName: r.createdByNameEnc ? openDisplayName(this.deps.pii, r.createdByNameEnc) : null }));
  }

  channel(channelId: string) {
    return this.repo.channel(channelId);
  }

  agreementInForce(channelId: string, at: Date): Promise<ChannelAgreement | undefined> {
    return this.repo.agreementInForce(channelId, at);
  }

  /** Each channel with the version in force at `at`, the next one scheduled and what the platform owes it. */
  async overview(at = this.deps.clock.now()) {
    const [list, all, balances] = await Promise.all([this.repo.channelList(), this.repo.allAgreements(), this.repo.payableBalances()]);
    return list.map((c) => {
      const versions = all.filter((a) => a.channelId === c.id);
      const t = at.getTime();
      return {
        ...c,
        current: versions.find((v) => v.effectiveFrom.getTime() <= t && (v.effectiveTo === null || v.effectiveTo.getTime() > t)),
        next: versions.find((v) => v.effectiveFrom.getTime() > t),
        versions: versions.length,
        /** what the platform owes the channel now (the payable account's credit balance) */
        owedFen: -(balances.get(c.id) ?? 0),
      };
    });
  }

  // ---- payables ------------------------------------------------------------------------------

  /**
   * The `channel-payables` tick: reads conversions and commission accruals from a day before the
   * watermark up to `now`, posts or excludes each source event once, reverses what turned out
   * invalid within its window, then moves the watermark to `now`. Safe to run concurrently and
   * repeatedly: every write is keyed by the source event.
   */
  async postPayables(now = this.deps.clock.now(), options: { from?: Date; signal?: AbortSignal } = {}): Promise<PayablesRun> {
    const mark = await this.repo.watermark(WATERMARK);
    const start = options.from ?? (mark ? new Date(mark.getTime() - TRAILING_MS) : await this.repo.earliestAgreementStart());
    const run: PayablesRun = { from: start ?? now, to: now, read: 0, posted: 0, excluded: 0, reversed: 0 };
    if (start && start.getTime() < now.getTime()) {
      const events = await this.sourceEvents(start, now);
      run.read = events.length;
      const thresholds = await this.deps.thresholds();
      // the trailing window re-reads events already decided: one query finds them all
      const known = await this.repo.knownKeys(events.map((e) => sourceKeyOf(e.rule, e.sourceId)));
      for (const event of events) {
        if (known.has(sourceKeyOf(event.rule, event.sourceId))) continue;
        if (options.signal?.aborted) return run;
        const outcome = await this.decide(event, now, thresholds);
        if (outcome === 'posted') run.posted += 1;
        else if (outcome === 'excluded') run.excluded += 1;
      }
    }
    run.reversed = await this.reverseInvalid(now, options.signal);
    if (!options.signal?.aborted) await this.repo.advanceWatermark(WATERMARK, mark, now);
    return run;
  }

  /** Conversions and commission accruals of attributed borrowers in [from, to), as payable source events. */
  async sourceEvents(from: Date, to: Date): Promise<PayoutSourceEvent[]> {
    // CPL accrues from the commission outbox: what is queued is accrued first, so its share is read on time
    await drainAccruals(this.deps.db, { wait: true });
    const [conversions, accruals] = await Promise.all([conversionsBetween(this.deps.db, { from, to }), this.repo.commissionAccrualsBetween(from, to)]);
    return [
      ...conversions.map((c) => ({
        rule: c.kind satisfies ConversionKind as PayoutRule,
        sourceId: c.sourceId,
        accountId: c.accountId,
        channelId: c.channelId,
        subId: c.subId,
        at: c.at,
        applicationId: c.applicationId,
      })),
      ...accruals
        .filter((a) => a.amountFen > 0)
        .map((a) => ({
          rule: 'commission_share' as const,
          sourceId: a.sourceKey,
          accountId: a.accountId,
          channelId: a.channelId,
          subId: a.subId,
          at: a.eventAt,
          applicationId: a.applicationId,
          commissionFen: a.amountFen,
        })),
    ].sort((a, b) => a.at.getTime() - b.at.getTime());
  }

  /**
   * One source event, in one transaction under the channel+month lock: nothing when it was already
   * paid or excluded, or the agreement in force at its time does not pay its rule; an exclusion with
   * evidence when its account is invalid traffic; else the payable and its journal (debit channel
   * acquisition expense, credit the channel's payable), keyed `chpay:<rule>:<sourceId>`.
   */
  async postEvent(event: PayoutSourceEvent, now = this.deps.clock.now(), thresholds?: ChannelThresholds): Promise<PostOutcome> {
    const sourceKey = sourceKeyOf(event.rule, event.sourceId);
    if ((await this.repo.payableByKey(sourceKey)) || (await this.repo.exclusionByKey(sourceKey))) return 'existing';
    return this.decide(event, now, thresholds ?? (await this.deps.thresholds()));
  }

  /** `postEvent` without the look outside the transaction (the tick has looked for every event at once). */
  private decide(event: PayoutSourceEvent, now: Date, limits: ChannelThresholds): Promise<PostOutcome> {
    const sourceKey = sourceKeyOf(event.rule, event.sourceId);
    const month = shanghaiMonth(event.at);
    return withTransaction(this.deps.db, async (tx) => {
      await this.repo.lockMonth(tx, event.channelId, month);
      if ((await this.repo.payableByKey(sourceKey, tx)) || (await this.repo.exclusionByKey(sourceKey, tx))) return 'existing' as const;
      const agreement = await this.repo.agreementInForce(event.channelId, event.at, tx);
      if (!agreement || !pays(termsOf(agreement), event.rule)) return 'not_paid' as const;
      const invalid = await this.invalidTraffic(event.accountId, now, limits, tx);
      const base = { sourceKey, channelId: event.channelId, agreementId: agreement.id, rule: event.rule, sourceId: event.sourceId, accountId: event.accountId, applicationId: event.applicationId, subId: event.subId, eventAt: event.at, month };
      if (invalid) {
        const inserted = await this.repo.insertExclusionOnce(tx, { id: newId('chx'), ...base, code: invalid.code, evidence: invalid });
        return inserted ? ('excluded' as const) : ('existing' as const);
      }
      const charge = payoutFor({ rule: event.rule, commissionFen: event.commissionFen }, termsOf(agreement), await this.repo.monthToDate(event.channelId, month, event.rule, tx));
      let journalId: string | null = null;
      if (charge.amountFen > 0) {
        const journal = await postJournal(tx, {
          sourceKey,
          kind: 'channel_payable',
          applicationId: event.applicationId ?? undefined,
          agreementId: agreement.id,
          memo: `渠道${payoutRuleLabels[event.rule]}：${charge.memo}`,
          entries: [
            { account: channelAccounts.expense(event.rule), amountFen: charge.amountFen },
            { account: channelAccounts.payable(event.channelId), amountFen: -charge.amountFen },
          ],
        });
        if (!journal.posted) return 'existing' as const;
        journalId = journal.journalId;
      }
      const inserted = await this.repo.insertPayableOnce(tx, {
        id: newId('chp'),
        ...base,
        ordinal: charge.ordinal,
        baseAmountFen: event.commissionFen ?? null,
        amountFen: charge.amountFen,
        journalId,
        memo: charge.memo,
      });
      return inserted ? ('posted' as const) : ('existing' as const);
    });
  }

  /**
   * Is the account invalid traffic as of `now`, and by what evidence: a fraud risk flag, its
   * attribution's device seen on more than `maxAccountsPerDevice` accounts, or its registration in
   * a burst of more than `burstPerTenMinutes` registrations of its channel and sub-ID in 10 minutes.
   */
  async invalidTraffic(accountId: string, now: Date, limits: ChannelThresholds, db: Database = this.deps.db): Promise<InvalidTraffic | null> {
    const flags = (await this.repo.riskFlagsOf(accountId, now, db)).filter((f) => (invalidTrafficFlags as readonly string[]).includes(f.code));
    if (flags.length) {
      return { code: 'risk_flag', evidence: { flags: flags.map((f) => ({ code: f.code, label: riskFlagLabels[f.code as keyof typeof riskFlagLabels] ?? f.code, at: f.createdAt.toISOString() })) } };
    }
    const attribution = await this.repo.attribution(accountId, db);
    if (!attribution) return null;
    if (attribution.device) {
      const deviceHash = this.deps.pii.blindIndex(`device:${attribution.device}`);
      const accounts = await this.repo.accountsOnDevice(attribution.device, deviceHash, db);
      if (accounts > limits.maxAccountsPerDevice) {
        return { code: 'shared_device', evidence: { deviceRef: deviceHash.slice(0, 8), accounts, threshold: limits.maxAccountsPerDevice } };
      }
    }
    const at = attribution.attributedAt;
    const times = await this.repo.registrationTimes(attribution.channelId, attribution.subId, new Date(at.getTime() - BURST_WINDOW_MS), new Date(at.getTime() + BURST_WINDOW_MS), db);
    const burst = burstAround(times, at);
    if (burst.count > limits.burstPerTenMinutes) {
      return {
        code: 'burst',
        evidence: { channelId: attribution.channelId, subId: attribution.subId, from: burst.from.toISOString(), to: burst.to.toISOString(), count: burst.count, threshold: limits.burstPerTenMinutes },
      };
    }
    return null;
  }

  /** Why a payable should be taken back now, if it should: its application withdrawn, its commission reversed, its account found invalid. */
  private async causeToReverse(p: ChannelPayable, now: Date, limits: ChannelThresholds): Promise<ReversalCause | null> {
    if (p.applicationId && (p.rule === 'application' || p.rule === 'approval' || p.rule === 'disbursement')) {
      if ((await this.repo.applicationStatus(p.applicationId)) === 'withdrawn') return { code: 'application_withdrawn', text: '申请已撤回' };
    }
    const commissionKey =
      p.rule === 'commission_share' ? p.sourceId : p.rule === 'approval' ? `cpa:${p.applicationId}` : p.rule === 'disbursement' ? `cps:${p.applicationId}` : p.rule === 'application' ? `cpl:${p.applicationId}` : null;
    if (commissionKey) {
      const reversed = await this.repo.commissionReversal(commissionKey);
      if (reversed) return { code: 'commission_reversed', text: `平台佣金已冲回：${reversed.reason}` };
    }
    const invalid = await this.invalidTraffic(p.accountId, now, limits);
    if (invalid) return { code: 'invalid_traffic', text: `无效流量：${evidenceText(invalid)}`, reason: invalid };
    return null;
  }

  /** Reverses every open payable, still within its agreement's window, whose source event turned out invalid. */
  async reverseInvalid(now = this.deps.clock.now(), signal?: AbortSignal): Promise<number> {
    // only payables still inside the longest window of any agreement can be reversed, and only those a cheap test flags
    const limits = await this.deps.thresholds();
    const since = new Date(now.getTime() - (await this.repo.longestReversalWindow()) * DAY_MS - DAY_MS);
    const candidates = await this.repo.reversalCandidates(since, limits, invalidTrafficFlags);
    const agreements = new Map<string, ChannelAgreement | undefined>();
    let reversed = 0;
    for (const p of candidates) {
      if (signal?.aborted) break;
      if (!agreements.has(p.agreementId)) agreements.set(p.agreementId, await this.repo.agreementById(p.agreementId));
      const agreement = agreements.get(p.agreementId)!;
      if (!withinWindow(p.eventAt, now, agreement.reversalWindowDays)) continue;
      const cause = await this.causeToReverse(p, now, limits);
      if (!cause) continue;
      const outcome = await this.reverse(p.sourceKey, cause, now);
      if (outcome === 'reversed') reversed += 1;
    }
    return reversed;
  }

  /**
   * Takes a payable back, once, within its agreement's window: a reversal record and, when it had
   * an amount, the reversing journal `rev:chpay:<rule>:<sourceId>` (credit expense, debit payable).
   */
  async reverse(sourceKey: string, cause: ReversalCause, now = this.deps.clock.now()): Promise<'reversed' | 'already_reversed' | 'outside_window' | 'not_found'> {
    const payable = await this.repo.payableByKey(sourceKey);
    if (!payable) return 'not_found';
    return withTransaction(this.deps.db, async (tx) => {
      await this.repo.lockMonth(tx, payable.channelId, payable.month);
      if (await this.repo.reversalOf(sourceKey, tx)) return 'already_reversed' as const;
      const agreement = (await this.repo.agreementById(payable.agreementId, tx))!;
      if (!withinWindow(payable.eventAt, now, agreement.reversalWindowDays)) return 'outside_window' as const;
      let journalId: string | null = null;
      if (payable.amountFen > 0) {
        const journal = await postJournal(tx, {
          sourceKey: reversalKeyOf(sourceKey),
          kind: 'channel_payable_reversal',
          applicationId: payable.applicationId ?? undefined,
          agreementId: payable.agreementId,
          memo: `冲回渠道${payoutRuleLabels[payable.rule]}：${cause.text}`,
          entries: [
            { account: channelAccounts.payable(payable.channelId), amountFen: payable.amountFen },
            { account: channelAccounts.expense(payable.rule), amountFen: -payable.amountFen },
          ],
        });
        journalId = journal.journalId;
      }
      const inserted = await this.repo.insertReversalOnce(tx, {
        sourceKey,
        cause: cause.code,
        reason: cause.text,
        evidence: cause.code === 'invalid_traffic' ? cause.reason : null,
        journalId,
        reversedAt: now,
      });
      return inserted ? ('reversed' as const) : ('already_reversed' as const);
    });
  }

  /** A channel's payables with whether each was reversed, oldest first. */
  payablesOf(channelId: string) {
    return this.repo.payablesOfChannel(channelId);
  }

  // ---- statements ----------------------------------------------------------------------------

  /** Closes `period` for every channel with an agreement: one transaction per channel; a statement that exists is left as it is. */
  async closeMonth(period: string, options: { now?: Date; channelIds?: string[]; signal?: AbortSignal } = {}): Promise<{ period: string; created: string[]; existing: string[]; empty: number }> {
    if (!/^\d{4}-(0[1-9]|1[0-2])$/.test(period)) throw new ValidationError('账期格式应为 YYYY-MM', { period: '账期格式应为 YYYY-MM' });
    const now = options.now ?? this.deps.clock.now();
    if (period >= shanghaiMonth(now)) throw new ValidationError('只能关闭已结束的月份', { period: '只能关闭已结束的月份' });
    const ids = options.channelIds ?? (await this.repo.channelIdsWithAgreements());
    const result = { period, created: [] as string[], existing: [] as string[], empty: 0 };
    for (const channelId of ids) {
      if (options.signal?.aborted) break;
      const outcome = await this.closeFor(channelId, period, now);
      if (outcome.kind === 'created') result.created.push(outcome.statementId);
      else if (outcome.kind === 'existing') result.existing.push(outcome.statementId);
      else result.empty += 1;
    }
    return result;
  }

  /** The scheduled close (`channel-statements-close`, after `statements-close`): the Asia/Shanghai month before `now`. */
  closePrevious(now: Date, signal?: AbortSignal) {
    const [y, m] = shanghaiMonth(now).split('-').map(Number) as [number, number];
    const period = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, '0')}`;
    return this.closeMonth(period, { now, signal });
  }

  /** An operator runs the channel month close by hand: the run is recorded. */
  async closeMonthBy(actor: AuditActor, period: string) {
    const result = await this.closeMonth(period);
    await this.deps.audit.recordNow(actor, { action: 'channel_statement.close_run', objectType: 'period', objectId: period, detail: { created: result.created.length, existing: result.existing.length } });
    return result;
  }

  /**
   * One channel's statement for a period in ONE transaction under the channel's statement lock:
   * every unbilled payable, exclusion, reversal and adjustment of the period or earlier (earlier
   * months marked late) becomes a line; unique (channel, period).
   */
  async closeFor(channelId: string, period: string, now: Date): Promise<{ kind: 'created' | 'existing'; statementId: string } | { kind: 'empty' }> {
    return withTransaction(this.deps.db, async (tx) => {
      await this.repo.lockChannelStatements(tx, channelId);
      const existing = await this.repo.statementIdFor(channelId, period, tx);
      if (existing) return { kind: 'existing' as const, statementId: existing };
      const items = await this.repo.unbilledItems(channelId, period, tx);
      type Line = Omit<ChannelStatementLineRow, 'id' | 'statementId' | 'lineNo'>;
      const lines: Line[] = [
        ...items.payables.map((p) => ({
          kind: 'payable' as const,
          sourceKey: p.sourceKey,
          rule: p.rule,
          subId: p.subId,
          eventAt: p.eventAt,
          eventMonth: p.month,
          amountFen: p.amountFen,
          late: p.month < period,
          description: `${payoutRuleLabels[p.rule]} · ${p.memo}`,
          evidence: null,
        })),
        ...items.exclusions.map((x) => ({
          kind: 'excluded' as const,
          sourceKey: exclusionKeyOf(x.sourceKey),
          rule: x.rule,
          subId: x.subId,
          eventAt: x.eventAt,
          eventMonth: x.month,
          amountFen: 0,
          late: x.month < period,
          description: `${payoutRuleLabels[x.rule]} 未计费（无效流量）：${evidenceText(x.evidence)}`,
          evidence: x.evidence,
        })),
        ...items.reversals.map(({ p, r }) => ({
          kind: 'reversal' as const,
          sourceKey: reversalKeyOf(p.sourceKey),
          rule: p.rule,
          subId: p.subId,
          eventAt: r.reversedAt,
          eventMonth: shanghaiMonth(r.reversedAt),
          amountFen: -p.amountFen,
          late: shanghaiMonth(r.reversedAt) < period,
          description: `冲回${payoutRuleLabels[p.rule]}（${shanghaiDate(p.eventAt)}）：${r.reason}`,
          evidence: r.evidence,
        })),
        ...items.adjustments.map((a) => ({
          kind: 'adjustment' as const,
          sourceKey: `chadj:${a.id}`,
          rule: null,
          subId: '',
          eventAt: a.createdAt,
          eventMonth: a.month,
          amountFen: a.amountFen,
          late: a.month < period,
          description: `调整：${a.reason}`,
          evidence: null,
        })),
      ].sort((a, b) => a.eventAt.getTime() - b.eventAt.getTime() || a.sourceKey.localeCompare(b.sourceKey));
      if (lines.length === 0) return { kind: 'empty' as const };
      const statementId = newId('chs');
      const totalFen = lines.reduce((n, l) => n + l.amountFen, 0);
      const excludedCount = lines.filter((l) => l.kind === 'excluded').length;
      await this.repo.insertStatement(tx, { id: statementId, channelId, period, status: 'draft', totalFen, lineCount: lines.length, excludedCount, closedAt: now });
      await this.repo.insertLines(tx, lines.map((l, i) => ({ ...l, statementId, lineNo: i + 1 })));
      await this.deps.audit.record(systemActor, { action: 'channel_statement.closed', objectType: 'channel_statement', objectId: statementId, detail: { channelId, period, totalFen, lineCount: lines.length, excludedCount } }, tx);
      return { kind: 'created' as const, statementId };
    });
  }

  private async summarize(rows: { statement: ChannelStatementRow; channelName: string; channelCode: string }[]): Promise<ChannelStatementSummary[]> {
    const ids = rows.map((r) => r.statement.id);
    const [disputes, payments] = await Promise.all([this.repo.disputesOf(ids), this.repo.paymentsOf(ids)]);
    return rows.map((r) => ({
      ...r.statement,
      channelName: r.channelName,
      channelCode: r.channelCode,
      openDisputes: disputes.filter((d) => d.statementId === r.statement.id && d.resolution === null).length,
      paidFen: payments.find((p) => p.statementId === r.statement.id)?.amountFen ?? 0,
    }));
  }

  /** Channel statements for operators, newest period first. */
  async list(filter: { channelId?: string; status?: ChannelStatementRow['status'] } = {}): Promise<ChannelStatementSummary[]> {
    return this.summarize(await this.repo.statementsWithChannel(filter));
  }

  /** One statement with its lines (each with its dispute) and payment; 404 when there is none, or (for a channel) not theirs or a draft. */
  async detail(statementId: string, options: { channelId?: string } = {}): Promise<ChannelStatementDetail> {
    const [row] = await this.repo.statementsWithChannel({ id: statementId });
    if (!row || (options.channelId !== undefined && (row.statement.channelId !== options.channelId || row.statement.status === 'draft'))) throw new NotFoundError('渠道结算单');
    const [summary] = await this.summarize([row]);
    const [lines, disputes, payment] = await Promise.all([this.repo.linesOf(statementId), this.repo.disputesOf([statementId]), this.repo.paymentOf(statementId)]);
    return {
      ...summary!,
      lines: lines.map((l) => ({ ...l, dispute: disputes.find((d) => d.lineId === l.id) ?? null, ruleLabel: l.rule ? payoutRuleLabels[l.rule] : '调整' })),
      subtotals: statementSubtotals(lines),
      payment: payment ?? null,
    };
  }

  /** For the channel portal: the channel's statements (never drafts), newest first. */
  async statementsForChannel(channelId: string): Promise<ChannelStatementSummary[]> {
    return this.summarize(await this.repo.statementsWithChannel({ channelId, excludeDrafts: true }));
  }

  /** For the channel portal: one of the channel's statements; 404 when not theirs or still a draft. With an actor, the view is recorded. */
  async statement(channelId: string, statementId: string, actor?: AuditActor): Promise<ChannelStatementDetail> {
    const s = await this.detail(statementId, { channelId });
    if (actor) await this.deps.audit.recordNow(actor, { action: 'channel_statement.viewed', objectType: 'channel_statement', objectId: statementId, detail: { channelId } });
    return s;
  }

  /** An operator opens a statement: the view is recorded. */
  async viewBy(actor: AuditActor, statementId: string): Promise<ChannelStatementDetail> {
    const s = await this.detail(statementId);
    await this.deps.audit.recordNow(actor, { action: 'channel_statement.viewed', objectType: 'channel_statement', objectId: statementId });
    return s;
  }

  /** Finance sends a draft to the channel; a statement with nothing owed (total ≤ 0) is settled at once. */
  async issue(statementId: string, actor: AuditActor, now = this.deps.clock.now()): Promise<ChannelStatementRow['status']> {
    return withTransaction(this.deps.db, async (tx) => {
      const s = await this.repo.lockStatement(tx, statementId);
      if (!s) throw new NotFoundError('渠道结算单');
      if (s.status !== 'draft') throw new ConflictError('statement_not_draft', '只有草稿状态的结算单可以出具');
      const status = s.totalFen <= 0 ? ('paid' as const) : ('issued' as const);
      await this.repo.updateStatement(tx, statementId, { status, issuedAt: now, paidAt: status === 'paid' ? now : null });
      await this.deps.audit.record(actor, { action: 'channel_statement.issued', objectType: 'channel_statement', objectId: statementId, detail: { totalFen: s.totalFen } }, tx);
      return status;
    });
  }

  /**
   * The channel disputes one line of its issued statement with a reason (the channel portal calls
   * this). 400 without a reason; 404 when the line is not on one of the channel's issued statements;
   * 409 when the statement is paid or the line was already disputed. The statement becomes disputed.
   */
  async disputeLine(channelId: string, lineId: number, reason: string, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    const text = reason.trim();
    if (text.length < 2 || text.length > 500) throw new ValidationError('请填写异议原因', { reason: '请填写异议原因（2–500 字）' });
    if (!Number.isSafeInteger(lineId)) throw new NotFoundError('结算明细');
    await withTransaction(this.deps.db, async (tx) => {
      const line = await this.repo.line(lineId, tx);
      const s = line ? await this.repo.lockStatement(tx, line.statementId) : undefined;
      if (!line || !s || s.channelId !== channelId || s.status === 'draft') throw new NotFoundError('结算明细');
      if (s.status === 'paid') throw new ConflictError('statement_paid', '结算单已付清，不能再提出异议');
      const existing = await this.repo.dispute(lineId, tx);
      if (existing) {
        throw existing.resolution ? new ConflictError('line_resolved', '该明细的异议已处理') : new ConflictError('line_disputed', '该明细已提出异议，等待处理');
      }
      await this.repo.insertDisputeOnce(tx, { lineId, statementId: s.id, reason: text, raisedBy: actor.id ?? null, raisedAt: now });
      await this.repo.updateStatement(tx, s.id, { status: 'disputed' });
      await this.deps.audit.record(actor, { action: 'channel_statement.line_disputed', objectType: 'channel_statement', objectId: s.id, detail: { channelId, lineId, reason: text } }, tx);
    });
  }

  /** Open disputes across channels, oldest first. */
  async openDisputes() {
    const rows = await this.repo.openDisputes();
    return rows.map((r) => ({ ...r, line: { ...r.line, ruleLabel: r.line.rule ? payoutRuleLabels[r.line.rule] : '调整' } }));
  }

  /**
   * An operator resolves a channel's dispute: accept with an adjustment (journal `chadj:<id>`:
   * debit the adjustment expense, credit the channel's payable; billed on the next statement), or
   * reject with a note. 404 without an open dispute on the line; 409 when already resolved. Audited.
   */
  async resolveDispute(
    lineId: number,
    input: { action: 'accept'; amountFen: Fen; note: string } | { action: 'reject'; note: string },
    actor: AuditActor,
    now = this.deps.clock.now(),
  ): Promise<{ adjustmentId: string | null }> {
    const { adjustmentId } = await this.resolveDisputeOfLine(lineId, input, actor, now);
    return { adjustmentId };
  }

  /** As `resolveDispute`, also telling which statement the line is on. */
  async resolveDisputeOfLine(
    lineId: number,
    input: { action: 'accept'; amountFen: Fen; note: string } | { action: 'reject'; note: string },
    actor: AuditActor,
    now = this.deps.clock.now(),
  ): Promise<{ adjustmentId: string | null; statementId: string }> {
    const note = input.note.trim();
    const fields: Record<string, string> = {};
    if (note.length < 2 || note.length > 500) fields.note = '请填写处理说明（2–500 字）';
    if (input.action === 'accept' && (!Number.isSafeInteger(input.amountFen) || input.amountFen === 0)) fields.amount = '调整金额不能为 0';
    if (Object.keys(fields).length) throw new ValidationError('处理信息有误', fields);
    return withTransaction(this.deps.db, async (tx) => {
      const line = await this.repo.line(lineId, tx);
      const s = line ? await this.repo.lockStatement(tx, line.statementId) : undefined;
      const dispute = line ? await this.repo.dispute(lineId, tx) : undefined;
      if (!line || !s || !dispute) throw new NotFoundError('异议');
      if (dispute.resolution) throw new ConflictError('dispute_resolved', '该异议已处理');
      let adjustmentId: string | null = null;
      if (input.action === 'accept') {
        adjustmentId = newId('chj');
        const journal = await postJournal(tx, {
          sourceKey: `chadj:${adjustmentId}`,
          kind: 'channel_adjustment',
          memo: `渠道结算调整：${note}`,
          entries: [
            { account: channelAccounts.adjustments, amountFen: input.amountFen },
            { account: channelAccounts.payable(s.channelId), amountFen: -input.amountFen },
          ],
        });
        await this.repo.insertAdjustment(tx, { id: adjustmentId, channelId: s.channelId, amountFen: input.amountFen, reason: note, lineId, journalId: journal.journalId, month: shanghaiMonth(now), createdBy: actor.id ?? null, createdAt: now });
      }
      await this.repo.resolveDispute(tx, lineId, { resolution: input.action === 'accept' ? 'adjusted' : 'rejected', resolutionNote: note, adjustmentId, resolvedBy: actor.id ?? null, resolvedAt: now });
      if (s.status === 'disputed' && (await this.repo.openDisputeCount(s.id, tx)) === 0) await this.repo.updateStatement(tx, s.id, { status: 'issued' });
      await this.deps.audit.record(
        actor,
        {
          action: input.action === 'accept' ? 'channel_statement.dispute_adjusted' : 'channel_statement.dispute_rejected',
          objectType: 'channel_statement',
          objectId: s.id,
          detail: { lineId, note, adjustmentId, amountFen: input.action === 'accept' ? input.amountFen : null },
        },
        tx,
      );
      return { adjustmentId, statementId: s.id };
    });
  }

  /**
   * Finance records the platform's payment of an issued statement: exactly its total (409
   * `payment_amount_mismatch` otherwise), once (409 when paid; 409 while a dispute is open; 409
   * for a draft). Journal `chpayment:<statementId>`: debit the channel's payable, credit the bank.
   */
  async recordPayment(statementId: string, input: { amountFen: Fen; paidAt: Date; reference: string }, actor: AuditActor, now = this.deps.clock.now()): Promise<ChannelPaymentRow> {
    const reference = input.reference.trim();
    const fields: Record<string, string> = {};
    if (!Number.isSafeInteger(input.amountFen) || input.amountFen <= 0) fields.amount = '金额须大于 0';
    if (Number.isNaN(input.paidAt.getTime()) || input.paidAt.getTime() > now.getTime()) fields.paidOn = '请填写付款日期（YYYY-MM-DD），不能晚于今天';
    if (!reference) fields.reference = '请填写银行流水号';
    else if (reference.length > 100) fields.reference = '流水号最多 100 字';
    if (Object.keys(fields).length) throw new ValidationError('付款信息有误', fields);
    return withTransaction(this.deps.db, async (tx) => {
      const s = await this.repo.lockStatement(tx, statementId);
      if (!s) throw new NotFoundError('渠道结算单');
      if (s.status === 'draft') throw new ConflictError('statement_not_issued', '结算单尚未出具');
      if (s.status === 'paid') throw new ConflictError('statement_paid', '结算单已付清');
      if (s.status === 'disputed') throw new ConflictError('statement_disputed', '结算单有未处理的异议，处理后再付款');
      if (input.amountFen !== s.totalFen) {
        const reason = `付款金额须等于结算单应付金额 ${formatYuan(s.totalFen)}`;
        throw new ConflictError('payment_amount_mismatch', reason, { amount: reason });
      }
      const journal = await postJournal(tx, {
        sourceKey: `chpayment:${statementId}`,
        kind: 'channel_payment',
        memo: `${s.period} 渠道结算单付款（银行转账 ${reference}）`,
        entries: [
          { account: channelAccounts.payable(s.channelId), amountFen: input.amountFen },
          { account: accountNames.cash('bank_transfer'), amountFen: -input.amountFen },
        ],
      });
      if (!journal.posted) throw new ConflictError('payment_duplicate', '该付款已记录');
      const payment = await this.repo.insertPayment(tx, { id: newId('chy'), statementId, channelId: s.channelId, amountFen: input.amountFen, paidAt: input.paidAt, reference, journalId: journal.journalId, recordedBy: actor.id ?? null });
      await this.repo.updateStatement(tx, statementId, { status: 'paid', paidAt: input.paidAt });
      await this.deps.audit.record(actor, { action: 'channel_statement.payment_recorded', objectType: 'channel_statement', objectId: statementId, detail: { amountFen: input.amountFen, reference, paidAt: input.paidAt } }, tx);
      return payment;
    });
  }
}
