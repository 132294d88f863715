import type { Database } from '../../db/client';
import { formatWan, type Fen } from '../../lib/money';
import { withTransaction, type Tx } from '../../lib/tx';
import type { Clock } from '../../lib/clock';
import type { AccountsService } from '../accounts';
import { checkEligibility, eligibilityProfileOf, pricingInput, type CatalogueService, type ProductView } from '../catalogue';
import type { IdentityService } from '../identity';
import { borrowerOdds, type InstitutionRecord, type Odds, type OddsModel } from '../odds';
import { methodFor, priceRangeIfOffered } from '../pricing';
import type { ApplicationsRepository } from './applications.repository';

/** Re-applying to the same product within this many days is refused (and shown before consent). */
export const DUPLICATE_WINDOW_DAYS = 30;
export { INSTITUTION_RECENT_DAYS } from '../odds';

/**
 * The 30-day duplicate rule, one function for the submission (inside its lock) and the precheck:
 * per product, the consumer's newest application to it created in the last DUPLICATE_WINDOW_DAYS
 * that was not withdrawn or expired (products without one are absent from the map). One query.
 */
export function recentDuplicates(repo: ApplicationsRepository, tx: Tx, consumerId: string, productIds: string[], now: Date): Promise<Map<string, { id: string; createdAt: Date }>> {
  return repo.findRecentLive(tx, consumerId, productIds, new Date(now.getTime() - DUPLICATE_WINDOW_DAYS * 24 * 3600_000));
}

/** One product as the borrower sees it before any consent: can I apply, did I already, my odds, my price. */
export interface PrecheckItem {
  productId: string;
  productName: string;
  institutionName: string;
  /** the product's stated rules allow this borrower and the amount and term (when given) are offered */
  eligible: boolean;
  /** the borrower meets the product's stated conditions (the amount and term aside: those can be changed on the apply page) */
  meetsCriteria: boolean;
  /** why not, in words (empty when eligible) */
  reasons: string[];
  duplicateOf: { applicationId: string; createdAt: Date } | null;
  /** the price range for the amount and term asked (fen; APR fractions), null when not asked or not offered */
  price: { monthlyLow: Fen; monthlyHigh: Fen; totalCostLow: Fen; totalCostHigh: Fen; aprLow: number; aprHigh: number } | null;
  odds: Omit<Odds, 'probability'>;
}

export interface PrecheckResult {
  items: PrecheckItem[];
  /** ids asked for that are not listed products (unknown or taken down) */
  missing: string[];
}

export interface PrecheckDeps {
  db: Database;
  clock: Clock;
  catalogue: CatalogueService;
  accounts: AccountsService;
  identity: IdentityService;
  credit?: { latestScore(accountId: string): Promise<number | null> };
  /** the model in use and the institutions' recent records (OddsService); without it every product is 数据不足 with no record */
  odds?: { current(): Promise<OddsModel | null>; institutionRecords(institutionIds: string[], now?: Date): Promise<Map<string, InstitutionRecord>> };
}

/**
 * 预审: what the apply step would decide, asked before any consent and writing nothing. Uses the
 * same eligibility check, the same duplicate rule and the same price range as the rest of the
 * marketplace, and the same odds as the product lists (`borrowerOdds`): the model given (the one
 * in use), or the prior from the product's stated criteria when there is none (`model` null: every
 * product 数据不足).
 */
export async function precheck(
  deps: PrecheckDeps,
  repo: ApplicationsRepository,
  accountId: string,
  productIds: string[],
  choice: { amountFen?: Fen; termMonths?: number; method?: string },
  model: OddsModel | null = null,
): Promise<PrecheckResult> {
  const identity = await deps.identity.summary(accountId);
  const profile = await deps.accounts.profile(accountId);
  const creditScore = await deps.credit?.latestScore(accountId);
  const eligibility = { ...eligibilityProfileOf(profile, creditScore), age: identity.age };
  const products: ProductView[] = [];
  const missing: string[] = [];
  for (const id of new Set(productIds)) {
    try {
      products.push(deps.catalogue.getListed(id));
    } catch {
      missing.push(id);
    }
  }
  const now = deps.clock.now();
  const records = deps.odds ? await deps.odds.institutionRecords(products.map((p) => p.institutionId), now) : new Map<string, InstitutionRecord>();
  const checks = products.map((product) => checkEligibility(product.eligibility, eligibility));
  const odds = borrowerOdds(
    model,
    records,
    { creditScore: eligibility.creditScore ?? null, monthlyIncomeFen: profile.monthlyIncomeFen, monthlyDebtFen: profile.monthlyDebtFen, employment: profile.employment },
    products.map((product, i) => ({ product, eligible: checks[i]!.eligible, amountFen: choice.amountFen })),
  );
  const items = await withTransaction(deps.db, async (tx) => {
    const out: PrecheckItem[] = [];
    const duplicates = await recentDuplicates(repo, tx, accountId, products.map((p) => p.id), now);
    for (const [i, product] of products.entries()) {
      const reasons = [...checks[i]!.reasons];
      const { amountFen, termMonths } = choice;
      if (amountFen !== undefined && (amountFen < product.minAmountFen || amountFen > product.maxAmountFen)) {
        reasons.push(`借款金额需在 ${formatWan(product.minAmountFen)} 至 ${formatWan(product.maxAmountFen)} 之间`);
      }
      if (termMonths !== undefined && !product.termOptions.includes(termMonths)) reasons.push(`可选期限：${product.termOptions.join('、')} 个月`);
      const duplicate = duplicates.get(product.id);
      const input = pricingInput(product);
      const range = amountFen !== undefined && termMonths !== undefined ? priceRangeIfOffered(input, { amountFen, termMonths, method: methodFor(input, choice.method) }) : undefined;
      const o = odds[i]!;
      out.push({
        productId: product.id,
        productName: product.name,
        institutionName: product.institutionName,
        eligible: reasons.length === 0,
        meetsCriteria: checks[i]!.eligible,
        reasons,
        duplicateOf: duplicate ? { applicationId: duplicate.id, createdAt: duplicate.createdAt } : null,
        price: range
          ? { monthlyLow: range.monthlyLow, monthlyHigh: range.monthlyHigh, totalCostLow: range.totalCostLow, totalCostHigh: range.totalCostHigh, aprLow: range.aprLow, aprHigh: range.aprHigh }
          : null,
        odds: { band: o.band, low: o.low, high: o.high, basis: o.basis, decisions: o.decisions },
      });
    }
    return out;
  });
  return { items, missing };
}
