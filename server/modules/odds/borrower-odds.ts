import { productOdds, type Odds } from './bands';
import type { InstitutionRecord } from './features';
import type { OddsModel } from './model';

/**
 * One borrower's odds for a list of products: the one function the precheck, the product lists,
 * compare, recommendations and `GET /api/v1/products/:id/odds` all use. The institution records
 * come in already loaded (one query for the whole list, `OddsService.institutionRecords`).
 */

/** The institution's recent approval rate (the feature, and the prior) counts decisions of this many days. */
export const INSTITUTION_RECENT_DAYS = 90;
/** The amount the odds are asked for when the borrower gave none: ¥50,000 within the product's range. */
export const DEFAULT_ODDS_AMOUNT_FEN = 5_000_000;

/** What the borrower told us, as the model reads it (null: not told). */
export interface BorrowerFacts {
  creditScore: number | null;
  monthlyIncomeFen: number | null;
  monthlyDebtFen: number | null;
  employment: string | null;
}

/** The product terms the odds read (a catalogue ProductView has them). */
export interface OddsProduct {
  id: string;
  institutionId: string;
  minAmountFen: number;
  maxAmountFen: number;
  eligibility: { minMonthlyIncomeFen: number };
}

/** The amount the odds are for: the one asked, else ¥50,000 clamped into the product's range. */
export const oddsAmountFor = (p: Pick<OddsProduct, 'minAmountFen' | 'maxAmountFen'>, amountFen?: number): number =>
  amountFen ?? Math.min(p.maxAmountFen, Math.max(p.minAmountFen, DEFAULT_ODDS_AMOUNT_FEN));

/**
 * Each item's odds, in order. `eligible` is the product's stated rules checked against the
 * borrower (the catalogue's eligibility check): the model never shows more than they allow.
 */
export function borrowerOdds(
  model: OddsModel | null,
  records: ReadonlyMap<string, InstitutionRecord>,
  facts: BorrowerFacts,
  items: readonly { product: OddsProduct; eligible: boolean; amountFen?: number }[],
): Odds[] {
  return items.map(({ product, eligible, amountFen }) =>
    productOdds(model, {
      productId: product.id,
      eligible,
      applicant: { ...facts, amountFen: oddsAmountFor(product, amountFen) },
      product: { minAmountFen: product.minAmountFen, maxAmountFen: product.maxAmountFen, minMonthlyIncomeFen: product.eligibility.minMonthlyIncomeFen },
      institution: records.get(product.institutionId) ?? { approved: 0, decided: 0 },
    }),
  );
}
