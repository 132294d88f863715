import { desc } from 'drizzle-orm';
import { z } from 'zod';
import type { Database } from '../../db/client';
import { ValidationError } from '../../lib/errors';
import { withTransaction } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import type { EventBus } from '../../lib/events';
import { defaultWeights, type RankingWeights } from './rank';
import { rankingRules } from './ranking.schema';

export type RankingRule = typeof rankingRules.$inferSelect;

const weight = z.number({ error: '权重须为 0–1 的数字' }).min(0, '权重不能为负').max(1, '权重不能大于 1');
export const rankingWeightsSchema = z.strictObject({ relevance: weight, apr: weight, approval: weight, complaints: weight, promotion: weight, pricing: weight });

export interface RankingServiceDeps {
  db: Database;
  audit: AuditService;
  events: EventBus;
  maxAgeMs?: number;
}

/** The weights of the default sort, versioned: each change is a new row and an audit entry. */
export class RankingService {
  private cached: { weights: RankingWeights; at: number } | undefined;

  private readonly db: Database;
  private readonly audit: AuditService;
  private readonly events: EventBus;
  private readonly maxAgeMs: number;

  constructor({ db, audit, events, maxAgeMs = 5000 }: RankingServiceDeps) {
    this.db = db;
    this.audit = audit;
    this.events = events;
    this.maxAgeMs = maxAgeMs;
  }

  async current(): Promise<{ weights: RankingWeights; version: number }> {
    const [row] = await this.db.select().from(rankingRules).orderBy(desc(rankingRules.version)).limit(1);
    // a version saved before a weight existed takes that weight's default
    return row ? { weights: { ...defaultWeights, ...row.weights }, version: row.version } : { weights: defaultWeights, version: 0 };
  }

  /** The weights in force, read at most every few seconds (other instances' changes show within that). */
  async weights(): Promise<RankingWeights> {
    if (this.cached && Date.now() - this.cached.at < this.maxAgeMs) return this.cached.weights;
    const { weights } = await this.current();
    this.cached = { weights, at: Date.now() };
    return weights;
  }

  history(limit = 20): Promise<RankingRule[]> {
    return this.db.select().from(rankingRules).orderBy(desc(rankingRules.version)).limit(limit);
  }

  async set(input: unknown, note: string, actor: AuditActor): Promise<RankingRule> {
    const parsed = rankingWeightsSchema.safeParse(input);
    if (!parsed.success) {
      const fields: Record<string, string> = {};
      for (const issue of parsed.error.issues) fields[String(issue.path[0] ?? '_')] ??= issue.message;
      throw new ValidationError('排序权重有误', fields);
    }
    const before = await this.current();
    const row = await withTransaction(this.db, async (tx) => {
      const [created] = await tx
        .insert(rankingRules)
        .values({ version: before.version + 1, weights: parsed.data, note: note.trim().slice(0, 200), createdBy: actor.id ?? null })
        .returning();
      await this.audit.record(
        actor,
        { action: 'ranking.changed', objectType: 'ranking_rules', objectId: String(created!.version), detail: { before: before.weights, after: parsed.data, note } },
        tx,
      );
      return created!;
    });
    this.cached = undefined;
    // after the commit: the catalogue drops its cached result pages
    await this.events.emit('ranking.changed', {});
    return row;
  }
}
