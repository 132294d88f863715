import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DatabaseHandle } from '../../db/client';
import { withTransaction } from '../../lib/tx';
import { databaseTargets } from '../../../test/support/database';
import { testCipher } from '../../../test/support/pii';
import { AuditService } from '../audit';
import { InstitutionsService } from '../institutions';
import type { AccrualEvent } from './accrual';
import { accountBalance } from './ledger';
import { shanghaiMidnight } from './commission';
import { SettlementService } from './settlement.service';
import { CommissionDrainer } from './commission-drainer';
import { systemClock } from '../../lib/clock';

describe.each(databaseTargets())('the commission outbox on $name', (target) => {
  let handle: DatabaseHandle;
  let settlement: SettlementService;
  let institutions: InstitutionsService;
  let n = 0;
  const newInstitution = async () => {
    const id = (await institutions.create({ name: `排队机构${++n}有限公司`, shortName: `排队${n}`, kind: 'bank' })).id;
    // a tier from the 5th CPL and a monthly cap: the order of accrual decides amounts
    await settlement.createAgreement(
      { institutionId: id, cplFen: 1_000, cpaFen: 5_000, cpsRate: '0.01', tiers: [{ rule: 'cpl', fromCount: 5, amountFen: 700 }], cplMonthlyCapFen: 30_000, effectiveFrom: shanghaiMidnight('2026-01-01')! },
      { now: new Date('2025-12-01T00:00:00Z') },
    );
    return id;
  };

  beforeAll(async () => {
    handle = await target.open();
    const pii = testCipher();
    const audit = new AuditService({ db: handle.db, pii });
    settlement = new SettlementService({ db: handle.db, pii, audit, clock: systemClock });
    institutions = new InstitutionsService({ db: handle.db, audit });
  });
  afterAll(() => handle?.close());

  const at = new Date('2026-03-10T02:00:00Z');
  const cpl = (institutionId: string, applicationId: string): AccrualEvent => ({ rule: 'cpl', institutionId, applicationId, at });

  it('submissions queueing while several drains run: every event accrues exactly once, the ledger balances, nothing is left queued', { timeout: 180_000 }, async () => {
    const [a, b] = [await newInstitution(), await newInstitution()];
    const submissions = Array.from({ length: 60 }, (_, i) => [cpl(a, `ob_${n}_a${i}`), cpl(b, `ob_${n}_b${i}`)]);
    // the same application queued twice (a retried submission that committed twice would do this): still one accrual
    submissions.push([cpl(a, `ob_${n}_a0`)]);
    const submit = async (from: number) => {
      for (let i = from; i < submissions.length; i += 3) await withTransaction(handle.db, (tx) => settlement.queueAccruals(tx, submissions[i]!));
    };
    const drain = async () => {
      let accrued = 0;
      for (let round = 0; round < 8; round++) accrued += await settlement.drainAccruals();
      return accrued;
    };
    await Promise.all([submit(0), submit(1), submit(2), drain(), drain(), drain()]);
    await settlement.drainAccruals({ wait: true });

    const [left] = await queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from commission_outbox where application_id like ${`ob_${n}_%`}`);
    expect(left!.n).toBe(0);
    const counts = await queryRows<{ institution_id: string; accruals: number; keys: number; max_ordinal: number; total: string }>(
      handle.db,
      sql`select institution_id, count(*)::int as accruals, count(distinct source_key)::int as keys, max(ordinal)::int as max_ordinal, sum(amount_fen)::text as total
            from commission_accruals where institution_id in (${a}, ${b}) group by 1 order by 1`,
    );
    expect(counts.map((c) => [c.accruals, c.keys, c.max_ordinal])).toEqual([
      [60, 60, 60],
      [60, 60, 60],
    ]);
    // 4 × 1,000 + then 700 each until the 30,000 cap: the same total whatever order the drains took
    for (const c of counts) {
      expect(Number(c.total)).toBe(30_000);
      expect(await accountBalance(handle.db, `receivable:institution:${c.institution_id}`)).toBe(30_000);
    }
    const unbalanced = await queryRows(handle.db, sql`select journal_id, currency from ledger_entries group by 1, 2 having sum(amount_fen) <> 0`);
    expect(unbalanced).toEqual([]);
  });

  it("an approval accrues the application's queued CPL before its CPA, in its own transaction", async () => {
    const institutionId = await newInstitution();
    const applicationId = `ob_${n}_approved`;
    await withTransaction(handle.db, (tx) => settlement.queueAccruals(tx, [cpl(institutionId, applicationId)]));
    const cpa = await withTransaction(handle.db, (tx) => settlement.accrue(tx, { rule: 'cpa', institutionId, applicationId, at: new Date(at.getTime() + 60_000) }));
    expect(cpa).toMatchObject({ rule: 'cpa', amountFen: 5_000, posted: true });
    const rows = await queryRows<{ rule: string; ordinal: number }>(handle.db, sql`select rule, ordinal from commission_accruals where application_id = ${applicationId} order by created_at, rule`);
    expect(rows).toEqual([
      { rule: 'cpa', ordinal: 1 },
      { rule: 'cpl', ordinal: 1 },
    ]);
    const [left] = await queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from commission_outbox where application_id = ${applicationId}`);
    expect(left!.n).toBe(0);
    expect(await settlement.drainAccruals({ wait: true })).toBe(0);
  });

  it('a commit that queued events wakes the drainer, which accrues them with nobody asking', { timeout: 60_000 }, async () => {
    const institutionId = await newInstitution();
    const applicationId = `ob_${n}_woken`;
    let accrued!: (n: number) => void;
    const woken = new Promise<number>((resolve) => (accrued = resolve));
    const drainer = new CommissionDrainer({
      listenForQueuedAccruals: (onCommit) => settlement.listenForQueuedAccruals(onCommit),
      drainAccruals: async () => {
        const count = await settlement.drainAccruals();
        if (count > 0) accrued(count);
        return count;
      },
    });
    const run = new AbortController();
    try {
      await drainer.listen(run.signal);
      await withTransaction(handle.db, (tx) => settlement.queueAccruals(tx, [cpl(institutionId, applicationId)]));
      expect(await woken).toBe(1);
      const rows = await queryRows<{ rule: string }>(handle.db, sql`select rule from commission_accruals where application_id = ${applicationId}`);
      expect(rows).toEqual([{ rule: 'cpl' }]);
    } finally {
      run.abort();
      await drainer.stop();
    }
  });
});
