import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sqlState, type DatabaseHandle } from '../../db/client';
import { withTransaction } from '../../lib/tx';
import { databaseTargets } from '../../../test/support/database';
import { testCipher } from '../../../test/support/pii';
import { AuditService } from '../audit';
import { InstitutionsService } from '../institutions';
import { accountBalance } from './ledger';
import { shanghaiMidnight, shanghaiMonth, type CommissionRule } from './commission';
import { SettlementService, type AgreementInput } from './settlement.service';
import { systemClock } from '../../lib/clock';

const DAY = 86_400_000;

describe.each(databaseTargets())('commission accrual on $name', (target) => {
  let handle: DatabaseHandle;
  let settlement: SettlementService;
  let institutions: InstitutionsService;
  let n = 0;
  const newInstitution = async () => (await institutions.create({ name: `测试机构${++n}有限公司`, shortName: `测试${n}`, kind: 'bank' })).id;

  beforeAll(async () => {
    handle = await target.open();
    const pii = testCipher();
    settlement = new SettlementService({ db: handle.db, pii, audit: new AuditService({ db: handle.db, pii }), clock: systemClock });
    institutions = new InstitutionsService({ db: handle.db, audit: new AuditService({ db: handle.db, pii }) });
  });
  afterAll(() => handle?.close());

  const accrue = (event: { rule: CommissionRule; applicationId: string; institutionId: string; at: Date; baseAmountFen?: number }) =>
    withTransaction(handle.db, (tx) => settlement.accrue(tx, event));
  const reverse = (sourceKey: string, at: Date) => withTransaction(handle.db, (tx) => settlement.reverseIn(tx, sourceKey, '测试冲回', { at }));

  it('posts once per source event and returns the existing journal to a retry', async () => {
    const institutionId = await newInstitution();
    await settlement.createAgreement({ institutionId, cplFen: 2_000, cpaFen: 10_000, cpsRate: '0.015', effectiveFrom: shanghaiMidnight('2026-01-01')! });
    const at = new Date('2026-03-05T02:00:00Z');
    const first = await accrue({ rule: 'cps', applicationId: 'app_x', institutionId, at, baseAmountFen: 5_000_000 });
    const again = await accrue({ rule: 'cps', applicationId: 'app_x', institutionId, at: new Date(at.getTime() + 1000), baseAmountFen: 9_999_999 });
    expect(first).toMatchObject({ posted: true, amountFen: 75_000, sourceKey: 'cps:app_x' });
    expect(again).toMatchObject({ posted: false, amountFen: 75_000, journalId: first!.journalId });
    expect(await accountBalance(handle.db, `receivable:institution:${institutionId}`)).toBe(75_000);
    // nothing before the first agreement starts
    expect(await accrue({ rule: 'cpl', applicationId: 'app_early', institutionId, at: new Date('2025-12-31T15:59:59Z') })).toBeNull();
  });

  it('reverses within the window only, once, with a balancing journal', async () => {
    const institutionId = await newInstitution();
    await settlement.createAgreement({ institutionId, cpaFen: 10_000, cpsRate: '0', reversalWindowDays: 7, effectiveFrom: shanghaiMidnight('2026-01-01')! });
    const at = new Date('2026-03-05T02:00:00Z');
    await accrue({ rule: 'cpa', applicationId: 'late', institutionId, at });
    await accrue({ rule: 'cpa', applicationId: 'soon', institutionId, at });
    expect(await reverse('cpa:late', new Date(at.getTime() + 7 * DAY + 1))).toMatchObject({ outcome: 'outside_window' });
    expect(await reverse('cpa:soon', new Date(at.getTime() + 7 * DAY))).toMatchObject({ outcome: 'reversed', amountFen: 10_000 });
    expect(await reverse('cpa:soon', new Date(at.getTime() + DAY))).toMatchObject({ outcome: 'already_reversed' });
    expect(await reverse('cpa:nothing', at)).toBeNull();
    expect(await accountBalance(handle.db, `receivable:institution:${institutionId}`)).toBe(10_000);
    const rev = await queryRows<{ kind: string }>(handle.db, sql`select kind from ledger_journals where source_key = 'rev:cpa:soon'`);
    expect(rev).toEqual([{ kind: 'commission_reversal' }]);
    await expect(handle.db.execute(sql`delete from commission_accruals`)).rejects.toSatisfy((e: unknown) => sqlState(e) === '23001');
    await expect(handle.db.execute(sql`update commission_reversals set reason = 'x'`)).rejects.toSatisfy((e: unknown) => sqlState(e) === '23001');
  });

  it('tiers and monthly caps count the month so far, without reversed events', async () => {
    const institutionId = await newInstitution();
    await settlement.createAgreement({
      institutionId,
      cplFen: 1_000,
      cpaFen: 5_000,
      cpsRate: '0',
      tiers: [{ rule: 'cpl', fromCount: 3, amountFen: 600 }],
      cpaMonthlyCapFen: 12_000,
      effectiveFrom: shanghaiMidnight('2026-01-01')!,
    });
    const at = (day: number) => new Date(shanghaiMidnight('2026-05-01')!.getTime() + day * DAY);
    const lead = async (app: string, day: number) => (await accrue({ rule: 'cpl', applicationId: app, institutionId, at: at(day) }))!.amountFen;
    const approval = async (app: string, day: number) => (await accrue({ rule: 'cpa', applicationId: app, institutionId, at: at(day) }))!.amountFen;
    expect([await lead('l1', 0), await lead('l2', 1)]).toEqual([1_000, 1_000]);
    await reverse('cpl:l2', at(1));
    expect([await lead('l3', 2), await lead('l4', 3)]).toEqual([1_000, 600]);
    // a new Asia/Shanghai month starts again from the base
    expect(await lead('l5', 31)).toBe(1_000);
    expect([await approval('a1', 0), await approval('a2', 0), await approval('a3', 0), await approval('a4', 0)]).toEqual([5_000, 5_000, 2_000, 0]);
    await reverse('cpa:a2', at(1));
    expect(await approval('a5', 1)).toBe(5_000);
    expect(await accountBalance(handle.db, `receivable:institution:${institutionId}`)).toBe(1_000 * 3 + 600 + 5_000 * 2 + 2_000); // l2 and a2 reversed
  });

  it('fifty identical accruals at once post exactly one journal', async () => {
    const institutionId = await newInstitution();
    await settlement.createAgreement({ institutionId, cplFen: 2_000, cpaFen: 0, cpsRate: '0', effectiveFrom: shanghaiMidnight('2026-01-01')! });
    const at = new Date('2026-04-01T08:00:00Z');
    const results = await Promise.allSettled(Array.from({ length: 50 }, () => accrue({ rule: 'cpl', applicationId: 'app_race', institutionId, at })));
    const fulfilled = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
    expect(fulfilled).toHaveLength(50);
    expect(fulfilled.filter((r) => r?.posted)).toHaveLength(1);
    expect(new Set(fulfilled.map((r) => r?.journalId)).size).toBe(1);
    const journals = await queryRows<{ n: number }>(handle.db, sql`select count(*)::int as n from ledger_journals where source_key = 'cpl:app_race'`);
    expect(journals[0]!.n).toBe(1);
    expect(await accountBalance(handle.db, `receivable:institution:${institutionId}`)).toBe(2_000);
  });

  it('concurrent new versions never overlap; the same start date twice is refused', async () => {
    const institutionId = await newInstitution();
    await settlement.createAgreement({ institutionId, cpaFen: 10_000, cpsRate: '0.01', effectiveFrom: shanghaiMidnight('2026-01-01')! });
    const now = new Date('2026-06-01T00:00:00Z');
    const make = (date: string) => settlement.createAgreement({ institutionId, cpaFen: 9_000, cpsRate: '0.01', effectiveFrom: shanghaiMidnight(date)! }, { now });
    const same = await Promise.allSettled([make('2026-07-01'), make('2026-07-01')]);
    expect(same.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    expect((same.find((r) => r.status === 'rejected') as PromiseRejectedResult).reason).toMatchObject({ code: 'agreement_overlap', fields: { effectiveFrom: expect.any(String) } });
    await Promise.allSettled(['2026-08-01', '2026-07-15', '2026-08-01', '2026-09-10', '2026-07-15'].map(make));
    const versions = await settlement.agreementsOf(institutionId);
    const end = (v: { effectiveTo: Date | null }) => v.effectiveTo?.getTime() ?? Infinity;
    for (const a of versions) {
      for (const b of versions) {
        if (a.id === b.id) continue;
        const overlap = a.effectiveFrom.getTime() < end(b) && b.effectiveFrom.getTime() < end(a);
        expect(overlap, `v${a.version} and v${b.version} overlap`).toBe(false);
      }
    }
    expect(new Set(versions.map((v) => v.version)).size).toBe(versions.length);
    // a version is immutable in the database too: only ending it earlier is allowed
    await expect(handle.db.execute(sql`update agreements set cpa_fen = 1 where institution_id = ${institutionId}`)).rejects.toSatisfy((e: unknown) => sqlState(e) === '23001');
    await expect(handle.db.execute(sql`delete from agreements where institution_id = ${institutionId}`)).rejects.toSatisfy((e: unknown) => sqlState(e) === '23001');
  });

  it('any sequence of events, retries and reversals: balanced, once per event, receivable as the rules say', { timeout: 240_000 }, async () => {
    // v1 (Feb) and v2 (from Asia/Shanghai midnight, 1 March), each with tiers and caps
    const v1: Omit<AgreementInput, 'institutionId'> = {
      cplFen: 1_000,
      cpaFen: 5_000,
      cpsRate: '0.015',
      tiers: [
        { rule: 'cpl', fromCount: 3, amountFen: 600 },
        { rule: 'cps', fromCount: 3, rate: '0.01' },
      ],
      cpsEventCapFen: 6_000,
      cpaMonthlyCapFen: 12_000,
      cpsMonthlyCapFen: 15_000,
      reversalWindowDays: 3,
      effectiveFrom: shanghaiMidnight('2026-01-01')!,
    };
    const v2: Omit<AgreementInput, 'institutionId'> = {
      cplFen: 800,
      cpaFen: 7_000,
      cpsRate: '0.02',
      tiers: [{ rule: 'cpa', fromCount: 2, amountFen: 4_000 }],
      cplMonthlyCapFen: 2_000,
      reversalWindowDays: 5,
      effectiveFrom: shanghaiMidnight('2026-03-01')!,
    };
    const terms = (at: Date) => (at.getTime() < v2.effectiveFrom.getTime() ? v1 : v2);

    const rule = fc.constantFrom<CommissionRule>('cpl', 'cpa', 'cps');
    const op = fc.oneof(
      fc.record({ kind: fc.constant('accrue' as const), rule, app: fc.integer({ min: 0, max: 5 }), amount: fc.integer({ min: 1, max: 1_000_000 }), hours: fc.integer({ min: 0, max: 12 }) }),
      fc.record({ kind: fc.constant('twice' as const), rule, app: fc.integer({ min: 0, max: 5 }), amount: fc.integer({ min: 1, max: 1_000_000 }), hours: fc.integer({ min: 0, max: 12 }) }),
      // reverses the pick-th event seen so far (or one never accrued when pick is past the end)
      fc.record({ kind: fc.constant('reverse' as const), rule, app: fc.integer({ min: 0, max: 5 }), amount: fc.constant(0), hours: fc.integer({ min: 0, max: 48 }), pick: fc.nat(40) }),
    );

    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 30 }), fc.integer({ min: 0, max: 14 * 24 }), async (ops, startHours) => {
        const institutionId = await newInstitution();
        await settlement.createAgreement({ institutionId, ...v1 });
        await settlement.createAgreement({ institutionId, ...v2 }, { now: new Date('2026-02-01T00:00:00Z') });
        const run = `r${n}`;
        // the model, computed independently of the service
        const model = new Map<string, { rule: CommissionRule; month: string; at: Date; amount: number; window: number; reversed: boolean }>();
        let clock = new Date('2026-02-15T00:00:00Z').getTime() + startHours * 3_600_000;
        const expectAccrual = (r: CommissionRule, app: string, at: Date, base: number) => {
          const key = `${r}:${app}`;
          if (model.has(key)) return;
          const t = terms(at);
          const month = shanghaiMonth(at);
          const earlier = [...model.values()].filter((m) => m.rule === r && m.month === month && !m.reversed);
          const nth = earlier.length + 1;
          const tier = (t.tiers ?? []).filter((x) => x.rule === r && x.fromCount <= nth).sort((a, b) => b.fromCount - a.fromCount)[0];
          let amount: number;
          if (r === 'cps') {
            const rate = tier && 'rate' in tier ? tier.rate : t.cpsRate;
            const exact = (BigInt(base) * BigInt(Math.round(Number(rate) * 1_000_000)) * 2n + 1_000_000n) / 2_000_000n;
            amount = Number(exact);
            if (t.cpsEventCapFen != null) amount = Math.min(amount, t.cpsEventCapFen);
          } else {
            amount = tier && 'amountFen' in tier ? tier.amountFen : r === 'cpl' ? (t.cplFen ?? 0) : t.cpaFen;
          }
          const cap = r === 'cpl' ? t.cplMonthlyCapFen : r === 'cpa' ? t.cpaMonthlyCapFen : t.cpsMonthlyCapFen;
          if (cap != null) amount = Math.min(amount, Math.max(0, cap - earlier.reduce((s, m) => s + m.amount, 0)));
          model.set(key, { rule: r, month, at, amount, window: t.reversalWindowDays ?? 30, reversed: false });
        };

        for (const o of ops) {
          clock += o.hours * 3_600_000;
          const at = new Date(clock);
          const app = `${run}_${o.app}`;
          const event = { rule: o.rule, applicationId: app, institutionId, at, baseAmountFen: o.rule === 'cps' ? o.amount : undefined };
          if (o.kind === 'reverse') {
            const seen = [...model.keys()];
            const key = 'pick' in o && o.pick < seen.length ? seen[o.pick]! : `${o.rule}:${app}`;
            await reverse(key, at);
            const m = model.get(key);
            if (m && !m.reversed && at.getTime() - m.at.getTime() <= m.window * DAY) m.reversed = true;
          } else {
            // 'twice': the same event delivered twice at once (a retry racing the original)
            await Promise.all(o.kind === 'twice' ? [accrue(event), accrue(event)] : [accrue(event)]);
            expectAccrual(o.rule, app, at, o.amount);
          }
        }

        const expected = [...model.values()].filter((m) => !m.reversed).reduce((s, m) => s + m.amount, 0);
        expect(await accountBalance(handle.db, `receivable:institution:${institutionId}`)).toBe(expected);
        const unbalanced = await queryRows(
          handle.db,
          sql`select e.journal_id from ledger_entries e join ledger_journals j on j.id = e.journal_id where j.institution_id = ${institutionId} group by e.journal_id, e.currency having sum(e.amount_fen) <> 0`,
        );
        expect(unbalanced).toEqual([]);
        const perEvent = await queryRows<{ source_key: string; n: number }>(
          handle.db,
          sql`select source_key, count(*)::int as n from ledger_journals where institution_id = ${institutionId} group by source_key having count(*) > 1`,
        );
        expect(perEvent).toEqual([]);
        const accruals = await queryRows<{ n: number; keys: number }>(
          handle.db,
          sql`select count(*)::int as n, count(distinct source_key)::int as keys from commission_accruals where institution_id = ${institutionId}`,
        );
        expect(accruals[0]).toEqual({ n: model.size, keys: model.size });
      }),
      { numRuns: target.name === 'pglite' ? 40 : 25 },
    );
    // across everything posted: every journal balances per currency
    const unbalanced = await queryRows(handle.db, sql`select journal_id, currency from ledger_entries group by 1, 2 having sum(amount_fen) <> 0`);
    expect(unbalanced).toEqual([]);
  });
});
