import { sql, type SQL } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import type { Counts, InstitutionMeasures, OperatorMeasures } from './staff-performance';

/** An instant as a SQL timestamptz parameter (both drivers). */
const at = (d: Date): SQL => sql`${d.toISOString()}::timestamptz`;

type Row = Record<string, unknown> & { id: string | null };

/** Columns of grouped rows as maps from staff id (rows without an id — system actions — are left out). */
function columns<K extends string>(rows: Row[], keys: readonly K[]): Record<K, Counts> {
  const out = Object.fromEntries(keys.map((k) => [k, new Map<string, number>()])) as Record<K, Counts>;
  for (const r of rows) {
    if (!r.id) continue;
    for (const k of keys) if (r[k] !== null && r[k] !== undefined) out[k].set(r.id, Number(r[k]));
  }
  return out;
}

/**
 * The SQL of staff performance: one grouped aggregate per source, each over indexed columns for
 * the period [start, end). The basis of each measure:
 * - leads handled, approvals, rejections, disbursements: `application_events` written by the
 *   staff member (actor_kind institution), by the event's time; the disbursed amount is the
 *   application's. Found from the institution's staff (accounts_institution_idx) through
 *   application_events_actor_idx.
 * - first response: per lead of the institution whose first response fell in the period, the
 *   first institution event; its author gets the lead, and the median of (event − arrival).
 * - collection: contact attempts (staff_id) and promises to pay (created_by) on the institution's
 *   cases, by their time; recovered = repayments paid while a case assigned to the person was open.
 * - operators: complaints assigned to them and resolved in the period (on time = resolved by the
 *   resolution deadline), reviews moderated, product versions reviewed, onboardings decided,
 *   feedback answered — each by the column that names the operator and its time.
 */
export class StaffPerformanceRepository {
  constructor(private readonly db: Database) {}

  private rows(query: SQL): Promise<Row[]> {
    return queryRows<Row>(this.db, query);
  }

  staffOf(institutionId: string): Promise<{ id: string; displayNameEnc: string | null; role: string }[]> {
    return queryRows(this.db, sql`select id, display_name_enc as "displayNameEnc", role from accounts where kind = 'institution' and institution_id = ${institutionId}`);
  }

  operators(): Promise<{ id: string; displayNameEnc: string | null; role: string }[]> {
    return queryRows(this.db, sql`select id, display_name_enc as "displayNameEnc", role from accounts where kind = 'operator'`);
  }

  async institution(institutionId: string, start: Date, end: Date): Promise<InstitutionMeasures> {
    const [leads, first, contacts, promises, recovered] = await Promise.all([
      this.rows(sql`
        select e.actor_id as id,
               count(distinct e.application_id) as "leadsHandled",
               count(*) filter (where e.to_status = 'approved') as approvals,
               count(*) filter (where e.to_status = 'rejected') as rejections,
               count(*) filter (where e.to_status = 'disbursed') as disbursements,
               coalesce(sum(ap.disbursed_amount_fen) filter (where e.to_status = 'disbursed'), 0) as "disbursedAmountFen"
        from accounts a
        join application_events e on e.actor_id = a.id and e.actor_kind = 'institution' and e.created_at >= ${at(start)} and e.created_at < ${at(end)}
        join applications ap on ap.id = e.application_id and ap.institution_id = ${institutionId}
        where a.kind = 'institution' and a.institution_id = ${institutionId}
        group by e.actor_id`),
      this.rows(sql`
        select f.actor_id as id, count(*) as "firstResponses",
               percentile_cont(0.5) within group (order by extract(epoch from (f.created_at - f.arrived_at)) / 60) as "medianFirstResponseMinutes"
        from (
          select distinct on (e.application_id) e.actor_id, e.created_at, ap.created_at as arrived_at
          from applications ap
          join application_events e on e.application_id = ap.id and e.actor_kind = 'institution'
          where ap.institution_id = ${institutionId} and ap.first_response_at >= ${at(start)} and ap.first_response_at < ${at(end)}
          order by e.application_id, e.id
        ) f
        group by f.actor_id`),
      this.rows(sql`
        select c.staff_id as id, count(*) as contacts, count(*) filter (where c.result in ('reached', 'promised')) as "contactsReached"
        from collection_cases cc
        join contact_attempts c on c.case_id = cc.id and c.attempted_at >= ${at(start)} and c.attempted_at < ${at(end)}
        where cc.institution_id = ${institutionId}
        group by c.staff_id`),
      this.rows(sql`
        select p.created_by as id, count(*) as promises, coalesce(sum(p.amount_fen), 0) as "promisedAmountFen", count(*) filter (where p.status = 'kept') as "promisesKept"
        from collection_cases cc
        join promises_to_pay p on p.case_id = cc.id and p.created_at >= ${at(start)} and p.created_at < ${at(end)}
        where cc.institution_id = ${institutionId}
        group by p.created_by`),
      this.rows(sql`
        select cc.assignee_id as id, coalesce(sum(r.amount_fen), 0) as "recoveredAmountFen"
        from collection_cases cc
        join loan_repayments r on r.loan_id = cc.loan_id and r.paid_at >= cc.opened_at and (cc.closed_at is null or r.paid_at <= cc.closed_at)
        where cc.institution_id = ${institutionId} and cc.assignee_id is not null and r.paid_at >= ${at(start)} and r.paid_at < ${at(end)}
        group by cc.assignee_id`),
    ]);
    return {
      ...columns(leads, ['leadsHandled', 'approvals', 'rejections', 'disbursements', 'disbursedAmountFen'] as const),
      ...columns(first, ['firstResponses', 'medianFirstResponseMinutes'] as const),
      ...columns(contacts, ['contacts', 'contactsReached'] as const),
      ...columns(promises, ['promises', 'promisedAmountFen', 'promisesKept'] as const),
      ...columns(recovered, ['recoveredAmountFen'] as const),
    };
  }

  async operator(start: Date, end: Date): Promise<OperatorMeasures> {
    const [complaints, reviews, versions, onboardings, feedback] = await Promise.all([
      this.rows(sql`
        select assignee_id as id, count(*) as "complaintsResolved", count(*) filter (where resolved_at <= resolution_due_at) as "complaintsOnTime"
        from complaints where resolved_at >= ${at(start)} and resolved_at < ${at(end)} and assignee_id is not null
        group by assignee_id`),
      this.rows(sql`select moderated_by as id, count(*) as "reviewsModerated" from product_reviews where moderated_at >= ${at(start)} and moderated_at < ${at(end)} group by moderated_by`),
      this.rows(sql`select reviewed_by as id, count(*) as "productVersionsReviewed" from product_versions where reviewed_at >= ${at(start)} and reviewed_at < ${at(end)} group by reviewed_by`),
      this.rows(sql`select reviewed_by as id, count(*) as "onboardingsReviewed" from institution_onboardings where decided_at >= ${at(start)} and decided_at < ${at(end)} group by reviewed_by`),
      this.rows(sql`select answered_by as id, count(*) as "feedbackAnswered" from feedback_items where answered_at >= ${at(start)} and answered_at < ${at(end)} group by answered_by`),
    ]);
    return {
      ...columns(complaints, ['complaintsResolved', 'complaintsOnTime'] as const),
      ...columns(reviews, ['reviewsModerated'] as const),
      ...columns(versions, ['productVersionsReviewed'] as const),
      ...columns(onboardings, ['onboardingsReviewed'] as const),
      ...columns(feedback, ['feedbackAnswered'] as const),
    };
  }
}
