import { performance } from 'node:perf_hooks';
import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import type { Tx, WriteBatch } from '../../lib/tx';
import type { AccountsService } from '../accounts';
import { checkEligibility, eligibilityProfileOf, type Eligibility } from '../catalogue';
import type { IdentityService } from '../identity';
import type { Odds } from './bands';
import { INSTITUTION_RECENT_DAYS, borrowerOdds, type BorrowerFacts, type OddsProduct } from './borrower-odds';
import { FEATURE_NAMES, type InstitutionRecord } from './features';
import { fitOddsModel, type OddsDecision, type OddsModel } from './model';
import { OddsRepository, type OddsHistoryRow, type OddsModelListing, type OddsModelRow, type StoredDecision } from './odds.repository';

/** Fewer decided applications than this: no model is fitted (every product 数据不足, the prior). */
export const MIN_FIT_DECISIONS = 200;

const DAY_MS = 24 * 3600_000;

export interface OddsServiceDeps {
  db: Database;
  clock: Clock;
  accounts: Pick<AccountsService, 'profile'>;
  identity: Pick<IdentityService, 'summary'>;
  /** the latest 信用评估's score, preferred over the self-assessed band */
  credit?: { latestScore(accountId: string): Promise<number | null> };
}

export type RefitOutcome =
  | { status: 'fitted'; id: string; decisions: number; heldOut: number; fitMs: number; brier: number; brierBaseRate: number; logLoss: number; logLossBaseRate: number; ece: number }
  | { status: 'unchanged'; id: string; decisions: number }
  | { status: 'too_few'; decisions: number; needed: number };

/** A product with the stated rules the odds check against the borrower (a catalogue ProductView). */
export type OddsListedProduct = OddsProduct & { eligibility: Eligibility };

/**
 * 下款概率 wired to the platform: the decided applications (the platform's own, with the facts
 * recorded at submission, and imported history) fitted nightly into a stored model; the model in
 * use kept in memory (reloaded after a refit here, and by the `odds-model-sync` ticker when another
 * instance refitted); a borrower's odds for a list of products in one place.
 */
export class OddsService {
  private readonly repo: OddsRepository;
  /** undefined: not loaded yet; null: no model stored */
  private cached: { row: Omit<OddsModelRow, 'model'>; model: OddsModel } | null | undefined;

  constructor(private readonly deps: OddsServiceDeps) {
    this.repo = new OddsRepository(deps.db);
  }

  /** The model in use, or null (every product 数据不足). */
  async current(): Promise<OddsModel | null> {
    return (await this.currentFit())?.model ?? null;
  }

  /** The model in use with its listing (fitted at, decisions, scores), or null. */
  async currentFit(): Promise<{ row: Omit<OddsModelRow, 'model'>; model: OddsModel } | null> {
    if (this.cached === undefined) await this.reload();
    return this.cached ?? null;
  }

  private async reload(): Promise<void> {
    const row = await this.repo.latest();
    if (!row) {
      this.cached = null;
      return;
    }
    const { model, ...listing } = row;
    // a model stored by an older version with other features is not used: the next refit replaces it
    const current = model.featureNames.length === FEATURE_NAMES.length && model.featureNames.every((n, i) => n === FEATURE_NAMES[i]);
    this.cached = current ? { row: listing, model } : null;
  }

  /** Reloads when another instance stored a newer model (the `odds-model-sync` ticker); true when it did. */
  async syncIfChanged(): Promise<boolean> {
    const id = await this.repo.latestId();
    if (this.cached !== undefined && (this.cached?.row.id ?? null) === id) return false;
    await this.reload();
    return true;
  }

  /** The recent fits, newest first (without their model JSON). */
  recentFits(limit = 10): Promise<OddsModelListing[]> {
    return this.repo.recent(limit);
  }

  /**
   * Every decided application as the model reads it, oldest first, each with its institution's
   * record of the INSTITUTION_RECENT_DAYS before its own decision (so its outcome does not leak in).
   */
  async decisions(): Promise<(OddsDecision & { decidedAt: Date; institutionId: string })[]> {
    return withRecordsBefore(await this.repo.decisions());
  }

  /**
   * Fits the model on every decided application and stores it as the model in use. Fewer than
   * MIN_FIT_DECISIONS (or one outcome only): no model is stored. The same decisions as the model
   * in use (count and newest decision): nothing changes (a run twice for the same data is a no-op).
   */
  async refit(trigger: 'job' | 'seed', now = this.deps.clock.now()): Promise<RefitOutcome> {
    const decisions = await this.decisions();
    const approved = decisions.filter((d) => d.approved).length;
    if (decisions.length < MIN_FIT_DECISIONS || approved === 0 || approved === decisions.length) {
      return { status: 'too_few', decisions: decisions.length, needed: MIN_FIT_DECISIONS };
    }
    const dataThrough = decisions.at(-1)!.decidedAt;
    const latest = await this.repo.latest();
    if (
      latest &&
      latest.decisions === decisions.length &&
      latest.dataThrough?.getTime() === dataThrough.getTime() &&
      latest.model.featureNames.join() === FEATURE_NAMES.join()
    ) {
      if (this.cached?.row.id !== latest.id) await this.reload();
      return { status: 'unchanged', id: latest.id, decisions: decisions.length };
    }
    const started = performance.now();
    const model = fitOddsModel(decisions);
    const fitMs = Math.round(performance.now() - started);
    const c = model.calibration;
    const row: OddsModelRow = {
      id: newId('odm'),
      fittedAt: now,
      model,
      decisions: decisions.length,
      heldOut: c.heldOut,
      dataThrough,
      brier: c.model.brier,
      brierBaseRate: c.baseRateModel.brier,
      logLoss: c.model.logLoss,
      logLossBaseRate: c.baseRateModel.logLoss,
      ece: c.model.expectedCalibrationError,
      fitMs,
      trigger,
    };
    await this.repo.insertModel(row);
    const { model: _m, ...listing } = row;
    this.cached = { row: listing, model };
    return {
      status: 'fitted',
      id: row.id,
      decisions: row.decisions,
      heldOut: row.heldOut,
      fitMs,
      brier: row.brier,
      brierBaseRate: row.brierBaseRate,
      logLoss: row.logLoss,
      logLossBaseRate: row.logLossBaseRate,
      ece: row.ece,
    };
  }

  /** Each institution's decided and approved applications of the last INSTITUTION_RECENT_DAYS (one query per source). */
  institutionRecords(institutionIds: string[], now = this.deps.clock.now()): Promise<Map<string, InstitutionRecord>> {
    return this.repo.institutionRecords(this.deps.db, institutionIds, new Date(now.getTime() - INSTITUTION_RECENT_DAYS * DAY_MS));
  }

  /**
   * The signed-in borrower's odds for each product (by product id): their profile, identity age and
   * latest 信用评估 against each product's stated rules, the model in use, and the institutions'
   * recent records loaded once for the whole list. `amountFen`: the amount asked (else ¥50,000
   * within each product's range).
   */
  async forBorrower(accountId: string, products: readonly OddsListedProduct[], choice: { amountFen?: number } = {}): Promise<Map<string, Odds>> {
    if (!products.length) return new Map();
    const [profile, identity, score, model, records] = await Promise.all([
      this.deps.accounts.profile(accountId),
      this.deps.identity.summary(accountId),
      this.deps.credit?.latestScore(accountId) ?? Promise.resolve(null),
      this.current(),
      this.institutionRecords(products.map((p) => p.institutionId)),
    ]);
    const eligibility = { ...eligibilityProfileOf(profile, score), age: identity.age };
    const facts: BorrowerFacts = {
      creditScore: eligibility.creditScore ?? null,
      monthlyIncomeFen: profile.monthlyIncomeFen,
      monthlyDebtFen: profile.monthlyDebtFen,
      employment: profile.employment,
    };
    const odds = borrowerOdds(
      model,
      records,
      facts,
      products.map((product) => ({ product, eligible: checkEligibility(product.eligibility, eligibility).eligible, amountFen: choice.amountFen })),
    );
    return new Map(products.map((p, i) => [p.id, odds[i]!]));
  }

  /** The facts the model reads, recorded with new applications in the submission's transaction (one insert). */
  recordFacts(tx: Tx | WriteBatch, applicationIds: string[], facts: BorrowerFacts): Promise<void> {
    const createdAt = this.deps.clock.now();
    return this.repo.insertFacts(tx, applicationIds.map((applicationId) => ({ applicationId, ...facts, createdAt })));
  }

  /** Erasure: the recorded facts of every application of this consumer go with the profile. */
  eraseFacts(tx: Tx, consumerId: string): Promise<void> {
    return this.repo.deleteFactsOf(tx, consumerId);
  }

  /** Imported decided history (the demo's synthetic decisions), in bulk; answers how many rows were new (an id already there is skipped). */
  importHistory(rows: readonly OddsHistoryRow[]): Promise<number> {
    return this.repo.insertHistory(rows);
  }

  historyCount(): Promise<number> {
    return this.repo.historyCount();
  }
}

/**
 * Each decision with its institution's record as it stood before it: the decisions of the same
 * institution in the INSTITUTION_RECENT_DAYS before, earlier in the (time-ordered) list. A sliding
 * window per institution: one pass.
 */
export function withRecordsBefore(sorted: readonly StoredDecision[]): (OddsDecision & { decidedAt: Date; institutionId: string })[] {
  const windows = new Map<string, { at: number; approved: boolean }[]>();
  const starts = new Map<string, number>();
  const counts = new Map<string, InstitutionRecord>();
  return sorted.map((d) => {
    const at = d.decidedAt.getTime();
    const window = windows.get(d.institutionId) ?? [];
    windows.set(d.institutionId, window);
    let start = starts.get(d.institutionId) ?? 0;
    const record = counts.get(d.institutionId) ?? { approved: 0, decided: 0 };
    while (start < window.length && window[start]!.at <= at - INSTITUTION_RECENT_DAYS * DAY_MS) {
      record.decided -= 1;
      if (window[start]!.approved) record.approved -= 1;
      start++;
    }
    const before = { ...record };
    window.push({ at, approved: d.approved });
    record.decided += 1;
    if (d.approved) record.approved += 1;
    starts.set(d.institutionId, start);
    counts.set(d.institutionId, record);
    return {
      id: d.id,
      productId: d.productId,
      institutionId: d.institutionId,
      decidedAt: d.decidedAt,
      approved: d.approved,
      applicant: { creditScore: d.creditScore, monthlyIncomeFen: d.monthlyIncomeFen, monthlyDebtFen: d.monthlyDebtFen, employment: d.employment, amountFen: d.amountFen },
      product: { minAmountFen: d.minAmountFen, maxAmountFen: d.maxAmountFen, minMonthlyIncomeFen: d.minMonthlyIncomeFen },
      institution: before,
    };
  });
}
