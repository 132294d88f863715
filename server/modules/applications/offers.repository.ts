import { and, asc, desc, eq, gte, inArray, isNull, lte, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { institutions } from '../institutions/institutions.schema';
import { products } from '../catalogue/catalogue.schema';
import { applications } from './applications.schema';
import { offers } from './offers.schema';
import type { OfferTerms } from './offer-terms';

export type OfferRow = typeof offers.$inferSelect;

/** The offers of approvals. */
export class OffersRepository {
  async insert(tx: Tx, input: { applicationId: string; terms: OfferTerms; expiresAt: Date; createdAt: Date }): Promise<void> {
    const t = input.terms;
    await tx.insert(offers).values({
      applicationId: input.applicationId,
      amountFen: t.amountFen,
      termMonths: t.termMonths,
      repaymentMethod: t.method,
      apr: t.apr,
      nominalRate: t.nominalRate,
      firstPaymentFen: t.firstPaymentFen,
      totalRepaymentFen: t.totalRepaymentFen,
      totalCostFen: t.totalCostFen,
      advertisedAprLow: t.advertisedAprLow.toFixed(6),
      advertisedAprHigh: t.advertisedAprHigh.toFixed(6),
      aboveAdvertised: t.aboveAdvertised,
      pricingReason: t.pricingReason,
      expiresAt: input.expiresAt,
      createdAt: input.createdAt,
    });
  }

  async find(db: Database | Tx, applicationId: string): Promise<OfferRow | undefined> {
    const [row] = await db.select().from(offers).where(eq(offers.applicationId, applicationId));
    return row;
  }

  async decide(tx: Tx, applicationId: string, at: Date, declineReason: string | null): Promise<void> {
    await tx.update(offers).set({ decidedAt: at, declineReason }).where(eq(offers.applicationId, applicationId));
  }

  /** The applications submitted together with this one (one 一键申请, one transaction: the same created_at), this one included, by id. */
  async submittedTogether(tx: Tx, consumerId: string, applicationId: string): Promise<string[]> {
    const rows = await tx
      .select({ id: applications.id })
      .from(applications)
      .where(and(eq(applications.consumerId, consumerId), sql`${applications.createdAt} = (select created_at from applications where id = ${applicationId})`))
      .orderBy(asc(applications.id));
    return rows.map((r) => r.id);
  }

  /** A consumer's offers with their application's status, product and institution, newest first. */
  forConsumer(db: Database, consumerId: string) {
    return db
      .select({ offer: offers, status: applications.status, productId: applications.productId, productName: products.name, institutionId: applications.institutionId, institutionName: institutions.name, createdAt: applications.createdAt })
      .from(offers)
      .innerJoin(applications, eq(applications.id, offers.applicationId))
      .innerJoin(products, eq(products.id, applications.productId))
      .innerJoin(institutions, eq(institutions.id, applications.institutionId))
      .where(eq(applications.consumerId, consumerId))
      .orderBy(desc(offers.createdAt));
  }

  /** An institution's offers that ended without a loan (declined or expired) with their end in [from, to). */
  closedWithoutLoan(db: Database, institutionId: string, from: Date, to: Date) {
    return db
      .select({ applicationId: offers.applicationId, productName: products.name, amountFen: offers.amountFen, apr: offers.apr, status: applications.status, declineReason: offers.declineReason, endedAt: applications.updatedAt })
      .from(offers)
      .innerJoin(applications, eq(applications.id, offers.applicationId))
      .innerJoin(products, eq(products.id, applications.productId))
      .where(and(eq(applications.institutionId, institutionId), inArray(applications.status, ['declined', 'expired']), gte(applications.updatedAt, from), sql`${applications.updatedAt} < ${to}`))
      .orderBy(asc(applications.updatedAt));
  }

  /** Offers still waiting for the borrower whose time is up. */
  async dueToExpire(db: Database, now: Date, limit: number): Promise<string[]> {
    const rows = await db
      .select({ id: offers.applicationId })
      .from(offers)
      .innerJoin(applications, eq(applications.id, offers.applicationId))
      .where(and(isNull(offers.decidedAt), lte(offers.expiresAt, now), eq(applications.status, 'approved')))
      .orderBy(asc(offers.expiresAt))
      .limit(limit);
    return rows.map((r) => r.id);
  }

  /** Offers made since `since`, per institution and product: how many, how many above the advertised range, and the reasons given. */
  aboveAdvertisedReport(db: Database, since: Date) {
    return db
      .select({
        institutionId: applications.institutionId,
        institutionName: institutions.name,
        productId: applications.productId,
        productName: products.name,
        offers: sql<number>`count(*)::int`,
        above: sql<number>`count(*) filter (where ${offers.aboveAdvertised})::int`,
        maxExcess: sql<string | null>`max(${offers.apr} - ${offers.advertisedAprHigh}) filter (where ${offers.aboveAdvertised})`,
        reasons: sql<string[] | null>`array_agg(distinct ${offers.pricingReason}) filter (where ${offers.aboveAdvertised})`,
      })
      .from(offers)
      .innerJoin(applications, eq(applications.id, offers.applicationId))
      .innerJoin(products, eq(products.id, applications.productId))
      .innerJoin(institutions, eq(institutions.id, applications.institutionId))
      .where(gte(offers.createdAt, since))
      .groupBy(applications.institutionId, institutions.name, applications.productId, products.name)
      .orderBy(desc(sql`count(*) filter (where ${offers.aboveAdvertised})`), asc(institutions.name));
  }

  /** Per institution: offers since `since` and the share above the advertised range (for ranking). */
  async aboveAdvertisedShare(db: Database, since: Date, institutionIds?: string[]): Promise<Map<string, { offers: number; above: number }>> {
    const rows = await db
      .select({ institutionId: applications.institutionId, offers: sql<number>`count(*)::int`, above: sql<number>`count(*) filter (where ${offers.aboveAdvertised})::int` })
      .from(offers)
      .innerJoin(applications, eq(applications.id, offers.applicationId))
      .where(and(gte(offers.createdAt, since), institutionIds ? inArray(applications.institutionId, institutionIds) : undefined))
      .groupBy(applications.institutionId);
    return new Map(rows.map((r) => [r.institutionId, { offers: r.offers, above: r.above }]));
  }
}
