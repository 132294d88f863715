import { inArray, sql } from 'drizzle-orm';
import { queryRows, type Database } from '../../db/client';
import { accrueBatch, ConcurrentAccrualError, type AccrualEvent, type PostedCommission } from './accrual';
import { commissionOutbox } from './settlement.schema';
import { txOf, withTransaction, write, type Tx, type WriteBatch } from '../../lib/tx';

/** The channel a commit that queued commission events NOTIFYs, so the drainer accrues them at once. */
export const COMMISSION_OUTBOX_CHANNEL = 'commission_outbox';

/** Events accrued per drain transaction. */
export const DRAIN_BATCH = 2_000;

/**
 * Queues commission events in the caller's transaction (one multi-row insert, no lock), and in
 * the same statement NOTIFYs the drainers, who hear of it when (and only if) the transaction commits.
 */
export async function queueAccruals(target: Tx | WriteBatch, events: readonly AccrualEvent[]): Promise<void> {
  if (events.length === 0) return;
  await write(target, [
    txOf(target).insert(commissionOutbox).values(
      events.map((e) => ({ rule: e.rule, institutionId: e.institutionId, applicationId: e.applicationId, baseAmountFen: e.baseAmountFen ?? null, eventAt: e.at })),
    ),
  ], [{ channel: COMMISSION_OUTBOX_CHANNEL, payload: '' }]);
}

/**
 * Accrues one event in the caller's transaction after the events still queued for its application
 * (its CPL before its CPA): those rows are claimed (waiting for a drain that holds them: it commits
 * and they are gone), accrued in order in one batch, and deleted. The event's own result.
 */
export async function accrueAfterQueued(tx: Tx, event: AccrualEvent): Promise<PostedCommission | null> {
  const queued = await queryRows<OutboxRow>(
    tx,
    sql`select id, rule, institution_id, application_id, base_amount_fen, event_at
          from commission_outbox where application_id = ${event.applicationId} order by id for update`,
  );
  const results = await accrueBatch(tx, [...queued.map(eventOf), event]);
  if (queued.length > 0) await tx.delete(commissionOutbox).where(inArray(commissionOutbox.id, queued.map((r) => Number(r.id))));
  return results[results.length - 1]!;
}

interface OutboxRow {
  id: number;
  rule: AccrualEvent['rule'];
  institution_id: string;
  application_id: string;
  base_amount_fen: string | number | null;
  event_at: string | Date;
}

const eventOf = (r: OutboxRow): AccrualEvent => ({
  rule: r.rule,
  institutionId: r.institution_id,
  applicationId: r.application_id,
  baseAmountFen: r.base_amount_fen === null ? undefined : Number(r.base_amount_fen),
  at: new Date(r.event_at),
});

/**
 * Accrues one batch of queued events, oldest first, in one transaction (`accrueBatch`) and deletes
 * them there. Without `upTo` it skips rows another drain holds (the background drainer); with it
 * (rows up to that id only) it waits for them: that drain commits, its rows are gone, and the wait
 * returns the rest. The number of events accrued.
 */
async function drainBatch(db: Database, upTo: number | null): Promise<number> {
  for (;;) {
    try {
      return await withTransaction(db, async (tx) => {
        const rows = await queryRows<OutboxRow>(
          tx,
          upTo === null
            ? sql`select id, rule, institution_id, application_id, base_amount_fen, event_at
                    from commission_outbox order by id limit ${DRAIN_BATCH} for update skip locked`
            : sql`select id, rule, institution_id, application_id, base_amount_fen, event_at
                    from commission_outbox where id <= ${upTo} order by id limit ${DRAIN_BATCH} for update`,
        );
        if (rows.length === 0) return 0;
        await accrueBatch(tx, rows.map(eventOf));
        await tx.delete(commissionOutbox).where(inArray(commissionOutbox.id, rows.map((r) => Number(r.id))));
        return rows.length;
      });
    } catch (err) {
      // the batch counted an event another transaction accrued meanwhile: the retry skips it
      if (!(err instanceof ConcurrentAccrualError)) throw err;
    }
  }
}

/**
 * Accrues queued commission events until none is left; the number this call accrued. `wait: true`
 * also waits for the events other drains hold, so that when it returns every event whose queueing
 * committed before the call has accrued (what the month close and the unbilled totals read).
 */
export async function drainAccruals(db: Database, options: { wait?: boolean } = {}): Promise<number> {
  let upTo: number | null = null;
  if (options.wait) {
    const [last] = await queryRows<{ id: string | number | null }>(db, sql`select max(id) as id from commission_outbox`);
    if (last?.id === null || last?.id === undefined) return 0;
    upTo = Number(last.id);
  }
  let total = 0;
  for (;;) {
    const n = await drainBatch(db, upTo);
    total += n;
    if (n > 0) continue;
    // a waiting batch can come back empty while rows past the ones it waited for are left
    if (upTo === null) return total;
    const [left] = await queryRows<{ any: boolean }>(db, sql`select exists (select 1 from commission_outbox where id <= ${upTo}) as any`);
    if (!left?.any) return total;
  }
}
