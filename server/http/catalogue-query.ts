import type { Request } from 'express';
import type { Services } from '../container';
import { eligibilityProfileOf, type CatalogueQuery, type EligibilityProfile } from '../modules/catalogue';
import type { productListQuery } from './api/schemas';
import type { z } from 'zod';

export type ProductListInput = z.output<typeof productListQuery>;

/** The logged-in consumer's eligibility facts, if any. */
export async function profileOf(services: Services, req: Request): Promise<EligibilityProfile | undefined> {
  if (req.account?.kind !== 'consumer') return undefined;
  return eligibilityProfileOf(await services.accounts.profile(req.account.id), await services.credit.latestScore(req.account.id));
}

/**
 * The products a signed-in consumer has already applied for (in progress, or within the
 * duplicate window) or borrowed from: recommendations leave them out.
 */
export async function takenProducts(services: Services, req: Request): Promise<ReadonlySet<string> | undefined> {
  if (req.account?.kind !== 'consumer') return undefined;
  const [applied, borrowed] = await Promise.all([services.applications.productsAppliedFor(req.account.id), services.loans.productsBorrowedFrom(req.account.id)]);
  return new Set([...applied, ...borrowed]);
}

/** Validated list parameters → a search query; "eligible" uses the consumer's profile when logged in. */
export async function toSearchQuery(services: Services, req: Request, input: ProductListInput, pageSize?: number): Promise<CatalogueQuery> {
  return {
    q: input.q || undefined,
    amountFen: input.amount,
    termMonths: input.termMonths,
    aprMax: input.aprMax,
    category: input.category?.length ? input.category : undefined,
    institution: input.institution?.length ? input.institution : undefined,
    repayment: input.repayment?.length ? input.repayment : undefined,
    eligibleFor: input.eligible ? await profileOf(services, req) : undefined,
    // 综合排序 unless the visitor chose another order
    sort: input.sort ?? 'ranked',
    page: input.page,
    pageSize: pageSize ?? input.pageSize,
  };
}
