import { and, asc, desc, eq, gt, gte, ilike, inArray, isNull, lt, lte, notInArray, or, sql, type SQL } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { foldDeltas, type DeltaTable } from '../../db/fold-deltas';
import { preparedQuery } from '../../db/prepared-query';
import { txOf, write, type Tx, type WriteBatch } from '../../lib/tx';
import { accounts, consumerProfiles } from '../accounts/accounts.schema';
import { products } from '../catalogue/catalogue.schema';
import { listedAmongSql } from '../catalogue';
import { activeRulesSql, type PrescreenRule } from '../prescreen';
import { latestScoreOf } from '../credit';
import { consumerIdentities } from '../identity/identity.schema';
import { institutions } from '../institutions/institutions.schema';
import { applicationEvents, applications, applicationStatusCounts, type ApplicationStatus } from './applications.schema';

export type ApplicationRow = typeof applications.$inferSelect;
export type ApplicationInsert = typeof applications.$inferInsert;
export type ApplicationEvent = typeof applicationEvents.$inferSelect;
export type ApplicationEventInsert = typeof applicationEvents.$inferInsert;
/** An application with the names it is shown with. */
export interface ApplicationWithNames {
  app: ApplicationRow;
  productName: string;
  institutionName: string;
}

/** What a submission needs to know about the borrower (part of `submissionFacts`). */
export interface BorrowerOnFile {
  /** the login, that is the phone, encrypted (AccountsService.phoneFromLogin opens it) */
  loginEnc: string;
  /** the verified identity (IdentityService.releaseFrom), null when not verified */
  identity: typeof consumerIdentities.$inferSelect | null;
  /** the profile (consumerProfileOf), null when never filled in */
  profile: typeof consumerProfiles.$inferSelect | null;
  /** the latest 信用评估's score, null without one */
  creditScore: number | null;
}

/** What a submission reads before it decides, in one statement: the borrower, and of the products applied for, the listed ones and their institutions' pre-screen rules. */
export interface SubmissionFacts extends BorrowerOnFile {
  /** the products still listed (catalogue's listedAmongSql) */
  listedIds: Set<string>;
  /** the active pre-screen rules of the institutions (prescreen's activeRulesSql) */
  rules: PrescreenRule[];
}

/** Whose application it is: a lookup scoped to a consumer or an institution finds only theirs. */
export interface ApplicationOwner {
  consumerId?: string;
  institutionId?: string;
}

/** The SQL-level part of an institution's lead filter. */
export interface LeadQuery {
  status?: ApplicationStatus;
  productId?: string;
  from?: Date;
  to?: Date;
  minAmountFen?: number;
  maxAmountFen?: number;
  creditBand?: string;
  region?: string;
  /** lead id or product name */
  q?: string;
  stale?: boolean;
  queue?: 'normal' | 'fast';
  limit: number;
}

const stalePending = sql`now() - interval '24 hours'`;

const statusCountDeltas: DeltaTable = { table: 'application_status_counts', keys: ['institution_id', 'status'], sums: ['n', 'unanswered'] };

function escapeLike(text: string): string {
  return text.replace(/[%_\\]/g, (c) => `\\${c}`);
}

function ownedBy(id: string, owner: ApplicationOwner): SQL | undefined {
  return and(
    eq(applications.id, id),
    owner.consumerId !== undefined ? eq(applications.consumerId, owner.consumerId) : undefined,
    owner.institutionId !== undefined ? eq(applications.institutionId, owner.institutionId) : undefined,
  );
}

/**
 * The advisory lock a consumer's submissions take (`withLockedTransaction`): one submission at a
 * time per consumer, so the 30-day duplicate check cannot race.
 */
export function consumerSubmissionsLock(consumerId: string): string {
  return `apply:${consumerId}`;
}

/**
 * A new application as `insertManyWithEvents` stores it: the column defaults of `applications`
 * filled in, `now` being the transaction's `now()` (as `withLockedTransaction` hands it over).
 */
export function asStored(row: ApplicationInsert, now: Date): ApplicationRow {
  return {
    status: 'submitted',
    applicantCreditBand: null,
    consentId: null,
    releasedDataEnc: null,
    offeredAmountFen: null,
    offeredTermMonths: null,
    offeredApr: null,
    rejectReason: null,
    disbursedAmountFen: null,
    disbursedAt: null,
    firstResponseAt: null,
    queue: 'normal',
    createdAt: now,
    updatedAt: now,
    ...row,
  };
}

/** A new event as stored, but for its serial id: the column defaults of `application_events` filled in. */
export function eventAsStored(event: ApplicationEventInsert, now: Date): Omit<ApplicationEvent, 'id'> {
  return { fromStatus: null, actorId: null, note: '', data: {}, createdAt: now, ...event };
}

// the reads of every submission, rendered once (db/prepared-query.ts)
const submissionFactsOf = preparedQuery(['consumerId', 'productIds', 'institutionIds'], (db, p) =>
  db
    .select({
      loginEnc: accounts.loginEnc,
      identity: consumerIdentities,
      profile: consumerProfiles,
      creditScore: latestScoreOf(accounts.id),
      listedIds: listedAmongSql(p.productIds),
      rules: activeRulesSql(p.institutionIds),
    })
    .from(accounts)
    .leftJoin(consumerIdentities, eq(consumerIdentities.accountId, accounts.id))
    .leftJoin(consumerProfiles, eq(consumerProfiles.accountId, accounts.id))
    .where(eq(accounts.id, p.consumerId)),
);
const recentLiveApplications = preparedQuery(['consumerId', 'productIds', 'since'], (db, p) =>
  db
    .selectDistinctOn([applications.productId], { productId: applications.productId, id: applications.id, createdAt: applications.createdAt })
    .from(applications)
    .where(
      and(
        eq(applications.consumerId, p.consumerId),
        sql`${applications.productId} = any(${p.productIds})`,
        gt(applications.createdAt, p.since),
        notInArray(applications.status, ['withdrawn', 'expired']),
      ),
    )
    .orderBy(applications.productId, desc(applications.createdAt)),
);

/** SQL for applications and their events. */
export class ApplicationsRepository {
  constructor(private readonly db: Database) {}

  private selectWithNames(db: Database = this.db) {
    return db
      .select({ app: applications, productName: products.name, institutionName: institutions.shortName })
      .from(applications)
      .innerJoin(products, eq(products.id, applications.productId))
      .innerJoin(institutions, eq(institutions.id, applications.institutionId));
  }

  /** One application (scoped to its owner when given), read through `db` (a transaction sees its own writes). */
  async findWithNames(id: string, owner: ApplicationOwner = {}, db: Database = this.db): Promise<ApplicationWithNames | undefined> {
    const [row] = await this.selectWithNames(db).where(ownedBy(id, owner));
    return row;
  }

  /**
   * Everything a submission reads before it decides, in one statement instead of one per
   * module: the borrower's phone (login), identity, profile and latest 信用评估's score, and of the
   * products applied for, those still listed and their institutions' active pre-screen rules.
   * Undefined when there is no such account. The rows are handed back to the modules that own
   * them to be opened (IdentityService.releaseFrom, consumerProfileOf, AccountsService.phoneFromLogin,
   * PrescreenService.decide). No row lock is taken: a product taken down or a rule changed after
   * this read is not seen by the submission. The submission reads it as the first statement of its
   * transaction (`db`), in the round trip that takes the lock; the statement starts at the call.
   */
  async submissionFacts(consumerId: string, applyingFor: { productIds: string[]; institutionIds: string[] }, db: Database = this.db): Promise<SubmissionFacts | undefined> {
    const [row] = await submissionFactsOf(db, { consumerId, ...applyingFor });
    return row;
  }

  eventsOf(applicationId: string, db: Database = this.db): Promise<ApplicationEvent[]> {
    return db.select().from(applicationEvents).where(eq(applicationEvents.applicationId, applicationId)).orderBy(asc(applicationEvents.id));
  }

  listForConsumer(consumerId: string): Promise<ApplicationWithNames[]> {
    return this.selectWithNames().where(eq(applications.consumerId, consumerId)).orderBy(desc(applications.createdAt));
  }

  /** An institution's leads, newest first; `q` matches the lead id or the product name. */
  listLeads(institutionId: string, filter: LeadQuery): Promise<ApplicationWithNames[]> {
    const like = filter.q ? `%${escapeLike(filter.q)}%` : undefined;
    return this.selectWithNames()
      .where(
        and(
          eq(applications.institutionId, institutionId),
          filter.status ? eq(applications.status, filter.status) : undefined,
          filter.productId ? eq(applications.productId, filter.productId) : undefined,
          filter.from ? gte(applications.createdAt, filter.from) : undefined,
          filter.to ? lt(applications.createdAt, filter.to) : undefined,
          filter.minAmountFen !== undefined ? gte(applications.amountFen, filter.minAmountFen) : undefined,
          filter.maxAmountFen !== undefined ? lte(applications.amountFen, filter.maxAmountFen) : undefined,
          filter.creditBand ? eq(applications.applicantCreditBand, filter.creditBand) : undefined,
          filter.region ? ilike(applications.applicantCity, `${filter.region.replace(/[%_\\]/g, '')}%`) : undefined,
          like ? or(ilike(applications.id, like), ilike(products.name, like)) : undefined,
          filter.queue ? eq(applications.queue, filter.queue) : undefined,
          filter.stale ? and(eq(applications.status, 'submitted'), isNull(applications.firstResponseAt), lt(applications.createdAt, stalePending)) : undefined,
        ),
      )
      .orderBy(desc(applications.createdAt))
      .limit(filter.limit);
  }

  listAll(filter: { status?: ApplicationStatus; institutionId?: string; limit: number }): Promise<ApplicationWithNames[]> {
    return this.selectWithNames()
      .where(
        and(
          filter.status ? eq(applications.status, filter.status) : undefined,
          filter.institutionId ? eq(applications.institutionId, filter.institutionId) : undefined,
        ),
      )
      .orderBy(desc(applications.createdAt))
      .limit(filter.limit);
  }

  /** Ids of open applications unchanged since `cutoff` (at most `limit`). */
  async idsUnchangedSince(cutoff: Date, limit: number): Promise<string[]> {
    const rows = await this.db
      .select({ id: applications.id })
      .from(applications)
      .where(and(inArray(applications.status, ['submitted', 'reviewing', 'approved']), lt(applications.updatedAt, cutoff)))
      .limit(limit);
    return rows.map((r) => r.id);
  }

  /** The application row locked for the transaction (scoped to its owner when given). */
  async lock(tx: Tx, id: string, owner: ApplicationOwner = {}): Promise<ApplicationRow | undefined> {
    const [row] = await tx.select().from(applications).where(ownedBy(id, owner)).for('update');
    return row;
  }

  /** The consent and the encrypted released snapshot of one of an institution's leads. */
  async releasedData(id: string, institutionId: string): Promise<{ consentId: string | null; enc: string | null } | undefined> {
    const [row] = await this.db
      .select({ consentId: applications.consentId, enc: applications.releasedDataEnc })
      .from(applications)
      .where(and(eq(applications.id, id), eq(applications.institutionId, institutionId)));
    return row;
  }

  /**
   * The consumer's latest application to the product since `since` that is still alive
   * (not withdrawn or expired).
   */
  /** Per product asked: the consumer's newest application to it created after `since` that was not withdrawn or expired. One query. */
  async findRecentLive(tx: Tx, consumerId: string, productIds: string[], since: Date): Promise<Map<string, { id: string; createdAt: Date }>> {
    if (productIds.length === 0) return new Map();
    const rows = await recentLiveApplications(tx, { consumerId, productIds, since });
    return new Map(rows.map((r) => [r.productId, { id: r.id, createdAt: r.createdAt }]));
  }

  async update(tx: Tx, id: string, patch: Partial<ApplicationInsert>): Promise<void> {
    await tx.update(applications).set(patch).where(eq(applications.id, id));
  }

  /** New applications with their first events, in one statement. */
  async insertManyWithEvents(target: Tx | WriteBatch, rows: ApplicationInsert[], events: ApplicationEventInsert[]): Promise<void> {
    const tx = txOf(target);
    if (rows.length) await write(target, [tx.insert(applications).values(rows), ...(events.length ? [tx.insert(applicationEvents).values(events)] : [])]);
  }

  async insertEvent(tx: Tx, event: ApplicationEventInsert): Promise<void> {
    await this.insertEvents(tx, [event]);
  }

  async insertEvents(tx: Tx, events: ApplicationEventInsert[]): Promise<void> {
    if (events.length) await tx.insert(applicationEvents).values(events);
  }

  async productName(productId: string, db: Database = this.db): Promise<string | undefined> {
    const [product] = await db.select({ name: products.name }).from(products).where(eq(products.id, productId));
    return product?.name;
  }

  async leadCounts(institutionId: string): Promise<{ unanswered: number; stale: number; reviewing: number; approved: number; accepted: number } | undefined> {
    const [row] = await this.db
      .select({
        unanswered: sql<number>`count(*) filter (where ${applications.status} = 'submitted' and ${applications.firstResponseAt} is null)::int`,
        stale: sql<number>`count(*) filter (where ${applications.status} = 'submitted' and ${applications.firstResponseAt} is null and ${applications.createdAt} < ${stalePending})::int`,
        reviewing: sql<number>`count(*) filter (where ${applications.status} = 'reviewing')::int`,
        approved: sql<number>`count(*) filter (where ${applications.status} = 'approved')::int`,
        accepted: sql<number>`count(*) filter (where ${applications.status} = 'accepted')::int`,
      })
      .from(applications)
      .where(and(eq(applications.institutionId, institutionId), inArray(applications.status, ['submitted', 'reviewing', 'approved', 'accepted'])));
    return row;
  }

  /** Applications per status, from the counters the database keeps (migration 0052), not a scan. */
  countsByStatus(): Promise<{ status: ApplicationStatus; n: number }[]> {
    return this.db
      .select({ status: sql<ApplicationStatus>`${applicationStatusCounts.status}`, n: sql<number>`sum(${applicationStatusCounts.n})::int` })
      .from(applicationStatusCounts)
      .groupBy(applicationStatusCounts.status)
      .having(sql`sum(${applicationStatusCounts.n}) <> 0`);
  }

  /** Folds the status counters' delta rows into one per status (the ticker). */
  foldStatusCounts(): Promise<number> {
    return foldDeltas(this.db, statusCountDeltas);
  }

  /**
   * Per institution, its leads still unanswered 24 hours after submission: its unanswered leads (the
   * counters) less those of the last 24 hours (a short range of the unanswered-leads index), in one
   * statement so both are read at the same instant.
   */
  staleLeadCounts(): Promise<{ institutionId: string; stale: number }[]> {
    return queryRows<{ institutionId: string; stale: number }>(
      this.db,
      sql`select c.institution_id as "institutionId", (c.unanswered - coalesce(r.recent, 0))::int as stale
        from (select institution_id, sum(unanswered) as unanswered from application_status_counts where status = 'submitted' group by 1) c
        left join (
          select ${applications.institutionId} as institution_id, count(*) as recent from ${applications}
          where ${applications.status} = 'submitted' and ${applications.firstResponseAt} is null and ${applications.createdAt} >= ${stalePending} group by 1
        ) r on r.institution_id = c.institution_id
        where c.unanswered - coalesce(r.recent, 0) <> 0`,
    );
  }
}
