import { and, asc, desc, eq, gte, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { applications } from '../applications/applications.schema';
import { complaints } from '../feedback/feedback.schema';
import { institutionProfileDrafts, institutions, type ProfileDraftStatus } from './institutions.schema';
import type { LenderCounts } from './lender-figures';

export type ProfileDraftRow = typeof institutionProfileDrafts.$inferSelect;
export type ProfileDraftInsert = typeof institutionProfileDrafts.$inferInsert;

/** The institution statuses an approval leads to: the lender said yes, whatever the borrower did next. */
const APPROVED = sql`('approved','accepted','declined','disbursed')`;

/** SQL for lenders' public profiles: the figures from applications and complaints, and the drafts in review. */
export class ProfilesRepository {
  constructor(private readonly db: Database) {}

  /** Applications since `appsSince` and complaints since `complaintsSince` of one institution, counted. */
  async counts(institutionId: string, appsSince: Date, complaintsSince: Date): Promise<LenderCounts> {
    const responseMinutes = sql`extract(epoch from (${applications.firstResponseAt} - ${applications.createdAt})) / 60`;
    const finished = sql`${complaints.status} in ('resolved','closed') and ${complaints.resolvedAt} is not null`;
    // the two tables are read at once: the public page waits for both
    const [[apps], [filed]] = await Promise.all([
      this.db
        .select({
          applications: sql<number>`count(*)::int`,
          decided: sql<number>`count(*) filter (where ${applications.status} in ${APPROVED} or ${applications.status} = 'rejected')::int`,
          approved: sql<number>`count(*) filter (where ${applications.status} in ${APPROVED})::int`,
          responded: sql<number>`count(${applications.firstResponseAt})::int`,
          medianResponseMinutes: sql<string | null>`percentile_cont(0.5) within group (order by ${responseMinutes}) filter (where ${applications.firstResponseAt} is not null)`,
        })
        .from(applications)
        .where(and(eq(applications.institutionId, institutionId), gte(applications.createdAt, appsSince))),
      this.db
        .select({
          complaints: sql<number>`count(*)::int`,
          resolved: sql<number>`count(*) filter (where ${finished})::int`,
          medianResolutionHours: sql<string | null>`percentile_cont(0.5) within group (order by extract(epoch from (${complaints.resolvedAt} - ${complaints.createdAt})) / 3600) filter (where ${finished})`,
        })
        .from(complaints)
        .where(and(eq(complaints.institutionId, institutionId), gte(complaints.createdAt, complaintsSince))),
    ]);
    const num = (v: string | number | null | undefined) => (v === null || v === undefined ? null : Number(v));
    return {
      applications: apps?.applications ?? 0,
      decided: apps?.decided ?? 0,
      approved: apps?.approved ?? 0,
      responded: apps?.responded ?? 0,
      medianResponseMinutes: num(apps?.medianResponseMinutes),
      complaints: filed?.complaints ?? 0,
      resolved: filed?.resolved ?? 0,
      medianResolutionHours: num(filed?.medianResolutionHours),
    };
  }

  // ── drafts ─────────────────────────────────────────────────────────────────────────────
  async insertDraft(tx: Tx, row: ProfileDraftInsert): Promise<ProfileDraftRow> {
    const [created] = await tx.insert(institutionProfileDrafts).values(row).returning();
    return created!;
  }

  async draft(id: string): Promise<ProfileDraftRow | undefined> {
    const [row] = await this.db.select().from(institutionProfileDrafts).where(eq(institutionProfileDrafts.id, id));
    return row;
  }

  /** One institution's drafts, newest first. */
  draftsOf(institutionId: string): Promise<ProfileDraftRow[]> {
    return this.db.select().from(institutionProfileDrafts).where(eq(institutionProfileDrafts.institutionId, institutionId)).orderBy(desc(institutionProfileDrafts.submittedAt), desc(institutionProfileDrafts.id));
  }

  /** Drafts in one status with the institution's short name, oldest first (the review queue). */
  draftsIn(status: ProfileDraftStatus): Promise<{ draft: ProfileDraftRow; institutionName: string }[]> {
    return this.db
      .select({ draft: institutionProfileDrafts, institutionName: institutions.shortName })
      .from(institutionProfileDrafts)
      .innerJoin(institutions, eq(institutions.id, institutionProfileDrafts.institutionId))
      .where(eq(institutionProfileDrafts.status, status))
      .orderBy(asc(institutionProfileDrafts.submittedAt), asc(institutionProfileDrafts.id));
  }

  /** Records the decision on a submitted draft; undefined when it is no longer in review. */
  async decide(tx: Tx, id: string, decision: { status: 'approved' | 'rejected'; reviewedBy: string | null; reviewedAt: Date; reviewComment: string | null }): Promise<ProfileDraftRow | undefined> {
    const [row] = await tx
      .update(institutionProfileDrafts)
      .set(decision)
      .where(and(eq(institutionProfileDrafts.id, id), eq(institutionProfileDrafts.status, 'submitted')))
      .returning();
    return row;
  }
}
