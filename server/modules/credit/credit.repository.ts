import { desc, eq, sql, type AnyColumn, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Tx } from '../../lib/tx';
import { creditAssessments } from './credit.schema';

export type CreditAssessmentRow = typeof creditAssessments.$inferSelect;

/**
 * The score of the account's latest 信用评估 (null without one), as a scalar subquery on the
 * account id column of the caller's query: another module's read takes it in the same statement.
 */
export function latestScoreOf(accountId: AnyColumn): SQL<number | null> {
  return sql<number | null>`(select ${creditAssessments.score} from ${creditAssessments} where ${creditAssessments.accountId} = ${accountId} order by ${creditAssessments.createdAt} desc, ${creditAssessments.id} desc limit 1)`;
}

/** SQL for credit assessments. Reads take the database; writes take the caller's transaction. */
export class CreditRepository {
  constructor(private readonly db: Database) {}

  async insert(tx: Tx, row: typeof creditAssessments.$inferInsert): Promise<void> {
    await tx.insert(creditAssessments).values(row);
  }

  async latest(accountId: string): Promise<CreditAssessmentRow | undefined> {
    const [row] = await this.db
      .select()
      .from(creditAssessments)
      .where(eq(creditAssessments.accountId, accountId))
      .orderBy(desc(creditAssessments.createdAt), desc(creditAssessments.id))
      .limit(1);
    return row;
  }

  /** every assessment of an account, newest first (the data export) */
  async all(accountId: string): Promise<CreditAssessmentRow[]> {
    return this.db
      .select()
      .from(creditAssessments)
      .where(eq(creditAssessments.accountId, accountId))
      .orderBy(desc(creditAssessments.createdAt), desc(creditAssessments.id));
  }

  async deleteAll(tx: Tx, accountId: string): Promise<void> {
    await tx.delete(creditAssessments).where(eq(creditAssessments.accountId, accountId));
  }

  /** newest first, at most `limit` */
  async history(accountId: string, limit = 50): Promise<Pick<CreditAssessmentRow, 'id' | 'score' | 'band' | 'source' | 'createdAt'>[]> {
    return this.db
      .select({ id: creditAssessments.id, score: creditAssessments.score, band: creditAssessments.band, source: creditAssessments.source, createdAt: creditAssessments.createdAt })
      .from(creditAssessments)
      .where(eq(creditAssessments.accountId, accountId))
      .orderBy(desc(creditAssessments.createdAt), desc(creditAssessments.id))
      .limit(limit);
  }
}
