import { and, gt, inArray, sql } from 'drizzle-orm';
import type { Tx } from '../../lib/tx';
import type { InstitutionRecord } from '../odds';
import { applications } from './applications.schema';

/** The reads 预审 needs beyond the applications repository's own. */
export class PrecheckRepository {
  /** Each institution's decided and approved applications (decided since `since`), across its products. */
  async institutionRecords(tx: Tx, institutionIds: string[], since: Date): Promise<Map<string, InstitutionRecord>> {
    if (!institutionIds.length) return new Map();
    const rows = await tx
      .select({
        institutionId: applications.institutionId,
        decided: sql<number>`count(*) filter (where ${applications.status} in ('approved','disbursed','rejected'))::int`,
        approved: sql<number>`count(*) filter (where ${applications.status} in ('approved','disbursed'))::int`,
      })
      .from(applications)
      .where(and(inArray(applications.institutionId, institutionIds), gt(applications.updatedAt, since)))
      .groupBy(applications.institutionId);
    return new Map(rows.map((r) => [r.institutionId, { decided: r.decided, approved: r.approved }]));
  }
}
