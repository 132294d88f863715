import { and, asc, eq, sql, type SQL, type SQLWrapper } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import { prescreenRules } from './prescreen.schema';
import { evaluate, rulePresets, ruleProblems, type LeadFacts, type Rule, type RulePreset } from './rules';

export type PrescreenRule = typeof prescreenRules.$inferSelect;
/** A rule as `activeRulesSql` reads it: the row as JSON, its column names as keys. */
interface RuleJson {
  id: string;
  institution_id: string;
  name: string;
  field: PrescreenRule['field'];
  operator: PrescreenRule['operator'];
  value: string;
  action: PrescreenRule['action'];
  reject_reason: string | null;
  active: boolean;
  priority: number;
  hits: number;
  created_at: string;
}

/**
 * The active rules of the institutions in `institutionIds` (one text[] value), as a part of
 * another module's read: a submission reads them with the borrower, in one statement, and hands
 * them to `decide`.
 */
export function activeRulesSql(institutionIds: SQLWrapper): SQL<PrescreenRule[]> {
  return sql`(select coalesce(json_agg(r), '[]'::json) from ${prescreenRules} r where r.institution_id = any(${institutionIds}) and r.active)`.mapWith((rows: RuleJson[]) =>
    rows.map((r) => ({
      id: r.id,
      institutionId: r.institution_id,
      name: r.name,
      field: r.field,
      operator: r.operator,
      value: r.value,
      action: r.action,
      rejectReason: r.reject_reason,
      active: r.active,
      priority: r.priority,
      hits: r.hits,
      createdAt: new Date(r.created_at),
    })),
  );
}

/** What the rules decided about one lead: declined, routed to the fast queue or to manual review, or nothing. */
export interface PrescreenDecision {
  decline?: PrescreenRule;
  fast?: PrescreenRule;
  manual?: PrescreenRule;
}
export type NewRule = Pick<PrescreenRule, 'name' | 'field' | 'operator' | 'value' | 'action' | 'rejectReason' | 'priority'>;

export interface PrescreenServiceDeps {
  audit: AuditService;
  db: Database;
}

/** An institution's pre-screen rules: kept here, applied to each lead on arrival, their effect counted. */
export class PrescreenService {
  constructor(private readonly deps: PrescreenServiceDeps) {}

  list(institutionId: string): Promise<PrescreenRule[]> {
    return this.deps.db.select().from(prescreenRules).where(eq(prescreenRules.institutionId, institutionId)).orderBy(asc(prescreenRules.priority), asc(prescreenRules.createdAt));
  }

  /** A new rule for the institution's leads; the rule and its audit row commit together. */
  async create(institutionId: string, input: NewRule, actor: AuditActor): Promise<PrescreenRule> {
    const fields = ruleProblems(input);
    if (!input.name.trim()) fields.name = '请填写规则名称';
    if (Object.keys(fields).length) throw new ValidationError('规则有误', fields);
    return withTransaction(this.deps.db, async (tx) => {
      const [row] = await tx
        .insert(prescreenRules)
        .values({ id: newId('rul'), institutionId, ...input, name: input.name.trim(), rejectReason: input.action === 'decline' ? input.rejectReason : null })
        .returning();
      await this.deps.audit.record(actor, { action: 'prescreen.rule_created', objectType: 'institution', objectId: institutionId }, tx);
      return row!;
    });
  }

  /** Adds a ready-made rule set (rulePresets) to the institution's rules, with one audit row, in one transaction. */
  async addPreset(institutionId: string, preset: RulePreset, actor: AuditActor): Promise<PrescreenRule[]> {
    const set = rulePresets[preset];
    return withTransaction(this.deps.db, async (tx) => {
      const rows = await tx
        .insert(prescreenRules)
        .values(set.rules.map((r) => ({ id: newId('rul'), institutionId, ...r })))
        .returning();
      await this.deps.audit.record(actor, { action: 'prescreen.rule_created', objectType: 'institution', objectId: institutionId, detail: { preset } }, tx);
      return rows;
    });
  }

  async setActive(institutionId: string, id: string, active: boolean): Promise<void> {
    const rows = await this.deps.db
      .update(prescreenRules)
      .set({ active })
      .where(and(eq(prescreenRules.id, id), eq(prescreenRules.institutionId, institutionId)))
      .returning({ id: prescreenRules.id });
    if (rows.length === 0) throw new NotFoundError('规则');
  }

  /**
   * Decides each lead's fate by its institution's active rules (read by the caller with
   * `activeRulesSql`), counting the rule that decided, in the caller's transaction: one update per
   * rule that decided (none when no rule did). Answers one decision per lead, in order.
   */
  async decide(tx: Database, rules: PrescreenRule[], leads: { institutionId: string; facts: LeadFacts }[]): Promise<PrescreenDecision[]> {
    if (leads.length === 0) return [];
    if (rules.length === 0) return leads.map(() => ({}));
    const byInstitution = new Map<string, PrescreenRule[]>();
    for (const r of rules) byInstitution.set(r.institutionId, [...(byInstitution.get(r.institutionId) ?? []), r]);
    const byId = new Map(rules.map((r) => [r.id, r]));
    const hits = new Map<string, number>();
    const decisions = leads.map(({ institutionId, facts }): PrescreenDecision => {
      const own = byInstitution.get(institutionId);
      if (!own) return {};
      const outcome = evaluate(own as Rule[], facts);
      const decided = outcome.decline ?? outcome.fast ?? outcome.manual;
      if (decided) hits.set(decided.id, (hits.get(decided.id) ?? 0) + 1);
      return {
        decline: outcome.decline ? byId.get(outcome.decline.id) : undefined,
        fast: !outcome.decline && outcome.fast ? byId.get(outcome.fast.id) : undefined,
        manual: !outcome.decline && outcome.manual ? byId.get(outcome.manual.id) : undefined,
      };
    });
    // in id order, so concurrent submissions take the rules' row locks in one order
    for (const [id, n] of [...hits].sort(([a], [b]) => a.localeCompare(b))) {
      await tx
        .update(prescreenRules)
        .set({ hits: sql`${prescreenRules.hits} + ${n}` })
        .where(eq(prescreenRules.id, id));
    }
    return decisions;
  }
}
