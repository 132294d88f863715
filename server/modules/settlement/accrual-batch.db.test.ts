import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DatabaseHandle } from '../../db/client';
import { withTransaction } from '../../lib/tx';
import { databaseTargets } from '../../../test/support/database';
import { testCipher } from '../../../test/support/pii';
import { AuditService } from '../audit';
import { InstitutionsService } from '../institutions';
import { ConcurrentAccrualError, type AccrualEvent } from './accrual';
import { accountBalance } from './ledger';
import { shanghaiMidnight, type CommissionRule } from './commission';
import { SettlementService, type AgreementInput, type PostedCommission } from './settlement.service';
import { systemClock } from '../../lib/clock';

const HOUR = 3_600_000;

// v1 from January, v2 from Asia/Shanghai midnight on 1 March: tiers, a per-event cap and monthly caps on every rule
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
  reversalWindowDays: 40,
  effectiveFrom: shanghaiMidnight('2026-01-01')!,
};
const v2: Omit<AgreementInput, 'institutionId'> = {
  cplFen: 800,
  cpaFen: 7_000,
  cpsRate: '0.02',
  tiers: [
    { rule: 'cpa', fromCount: 2, amountFen: 4_000 },
    { rule: 'cpl', fromCount: 4, amountFen: 500 },
  ],
  cplMonthlyCapFen: 3_000,
  reversalWindowDays: 40,
  effectiveFrom: shanghaiMidnight('2026-03-01')!,
};

/** What a result says, without the ids that differ between institutions. */
const shape = (r: PostedCommission | null) => (r ? { rule: r.rule, amountFen: r.amountFen, posted: r.posted, earned: r.journalId !== null } : null);

describe.each(databaseTargets())('batched commission accrual on $name', (target) => {
  let handle: DatabaseHandle;
  let settlement: SettlementService;
  let institutions: InstitutionsService;
  let n = 0;
  const newInstitution = async (agreements: Omit<AgreementInput, 'institutionId'>[]) => {
    const id = (await institutions.create({ name: `批量机构${++n}有限公司`, shortName: `批量${n}`, kind: 'bank' })).id;
    for (const terms of agreements) await settlement.createAgreement({ institutionId: id, ...terms }, { now: new Date('2026-02-01T00:00:00Z') });
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

  /** The institution's accruals as the rules made them, by application suffix. */
  const accrualsOf = (institutionId: string) =>
    queryRows<{ app: string; rule: string; month: string; ordinal: number; amount_fen: string; memo: string; journal: boolean }>(
      handle.db,
      sql`select split_part(application_id, '~', 2) as app, rule, month, ordinal, amount_fen::text, memo, journal_id is not null as journal
            from commission_accruals where institution_id = ${institutionId} order by 2, 1`,
    );

  /**
   * What breaks "every accrual covered by exactly one journal whose entries sum to the accruals it
   * covers" for these institutions (accrueBatch posts one journal per institution and month of a
   * batch): an earned accrual without a journal, an unearned one with one, or a commission journal
   * whose receivable entries differ from the accruals that reference it.
   */
  const uncovered = (institutionIds: string[]) =>
    queryRows<{ problem: string; id: string }>(
      handle.db,
      sql`select 'accrual' as problem, a.id from commission_accruals a
           where a.institution_id in (select json_array_elements_text(${JSON.stringify(institutionIds)}::json)) and (a.amount_fen > 0) <> (a.journal_id is not null)
          union all
          select 'journal', j.id from ledger_journals j
           where j.institution_id in (select json_array_elements_text(${JSON.stringify(institutionIds)}::json)) and j.kind like 'commission\\_%' and j.kind <> 'commission_reversal'
             and (select coalesce(sum(e.amount_fen), 0) from ledger_entries e where e.journal_id = j.id and e.account like 'receivable:%')
                 <> (select coalesce(sum(a.amount_fen), 0) from commission_accruals a where a.journal_id = j.id)`,
    );

  it('accrueBatch gives exactly what accrue gives event by event: tiers, caps, duplicates in and across batches, reversals between', { timeout: 300_000 }, async () => {
    const rule = fc.constantFrom<CommissionRule>('cpl', 'cpa', 'cps');
    const event = fc.record({ rule, app: fc.integer({ min: 0, max: 9 }), hours: fc.integer({ min: 0, max: 60 }), base: fc.integer({ min: 1, max: 2_000_000 }) });
    // the stream is cut into batches; after a batch, some of the accruals so far may be reversed
    const batch = fc.record({ events: fc.array(event, { minLength: 1, maxLength: 12 }), reverse: fc.array(fc.nat(30), { maxLength: 2 }) });
    let batches = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(batch, { minLength: 1, maxLength: 5 }), fc.integer({ min: 0, max: 30 * 24 }), async (stream, startHours) => {
        const one = await newInstitution([v1, v2]);
        const many = await newInstitution([v1, v2]);
        let clock = new Date('2026-02-10T00:00:00Z').getTime() + startHours * HOUR;
        const sequential: (PostedCommission | null)[] = [];
        const batched: (PostedCommission | null)[] = [];
        for (const b of stream) {
          const events = b.events.map((e) => {
            clock += e.hours * HOUR;
            return { rule: e.rule, app: e.app, at: new Date(clock), base: e.base };
          });
          const of = (institutionId: string): AccrualEvent[] =>
            events.map((e) => ({ rule: e.rule, applicationId: `${institutionId}~${e.app}`, institutionId, at: e.at, baseAmountFen: e.rule === 'cps' ? e.base : undefined }));
          for (const e of of(one)) sequential.push(await withTransaction(handle.db, (tx) => settlement.accrue(tx, e)));
          batched.push(...(await withTransaction(handle.db, (tx) => settlement.accrueBatch(tx, of(many)))));
          const keys = (await accrualsOf(one)).map((a) => `${a.rule}:~${a.app}`);
          for (const pick of b.reverse) {
            const key = keys[pick % Math.max(1, keys.length)];
            if (!key) continue;
            const at = new Date(clock);
            const [r1, r2] = [await withTransaction(handle.db, (tx) => settlement.reverseIn(tx, key.replace('~', `${one}~`), '撤回', { at })),
              await withTransaction(handle.db, (tx) => settlement.reverseIn(tx, key.replace('~', `${many}~`), '撤回', { at }))];
            expect(r2?.outcome).toBe(r1?.outcome);
          }
        }
        batches += stream.length;
        expect(batched.map(shape)).toEqual(sequential.map(shape));
        expect(await accrualsOf(many)).toEqual(await accrualsOf(one));
        expect(await accountBalance(handle.db, `receivable:institution:${many}`)).toBe(await accountBalance(handle.db, `receivable:institution:${one}`));
        const totals = await queryRows<{ institution_id: string; rule: string; month: string; count: number; amount_fen: string }>(
          handle.db,
          sql`select t.institution_id, t.rule, t.month, t.count, t.amount_fen::text from commission_month_totals t
                left join lateral (
                  select count(*)::int as n, coalesce(sum(a.amount_fen), 0) as amount from commission_accruals a
                   where a.institution_id = t.institution_id and a.rule = t.rule and a.month = t.month
                     and not exists (select 1 from commission_reversals r where r.source_key = a.source_key)) d on true
               where t.institution_id in (${one}, ${many}) and (t.count <> d.n or t.amount_fen <> d.amount)`,
        );
        expect(totals).toEqual([]);
        expect(await uncovered([one, many])).toEqual([]);
      }),
      { numRuns: target.name === 'pglite' ? 20 : 15 },
    );
    expect(batches).toBeGreaterThan(0);
    const unbalanced = await queryRows(handle.db, sql`select journal_id, currency from ledger_entries group by 1, 2 having sum(amount_fen) <> 0`);
    expect(unbalanced).toEqual([]);
  });

  it('concurrent batches with overlapping source keys accrue each event once and the ledger balances', { timeout: 120_000 }, async () => {
    const a = await newInstitution([v2]);
    const b = await newInstitution([v2]);
    const at = (i: number) => new Date(shanghaiMidnight('2026-03-02')!.getTime() + i * HOUR);
    const rules: CommissionRule[] = ['cpl', 'cpa', 'cps'];
    const events: AccrualEvent[] = Array.from({ length: 300 }, (_, i) => ({
      rule: rules[i % 3]!,
      applicationId: `race_${n}_${Math.floor(i / 3)}`,
      institutionId: i % 2 ? a : b,
      at: at(i % 200),
      baseAmountFen: 100_000 + i,
    }));
    // four drains over the same stream, in different orders and batch sizes, all at once
    const orders = [events, [...events].reverse(), events.filter((_, i) => i % 2 === 0).concat(events), [...events.slice(150), ...events.slice(0, 150)]];
    const drains = orders.map(async (stream, d) => {
      const size = [50, 73, 300, 17][d]!;
      for (let i = 0; i < stream.length; i += size) await withTransaction(handle.db, (tx) => settlement.accrueBatch(tx, stream.slice(i, i + size)));
    });
    const outcomes = await Promise.allSettled(drains);
    expect(outcomes.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    const [counts] = await queryRows<{ accruals: number; keys: number; journals: number; earned: number }>(
      handle.db,
      sql`select (select count(*)::int from commission_accruals where institution_id in (${a}, ${b})) as accruals,
                 (select count(distinct source_key)::int from commission_accruals where institution_id in (${a}, ${b})) as keys,
                 (select count(*)::int from ledger_journals where institution_id in (${a}, ${b})) as journals,
                 (select count(*)::int from commission_accruals where institution_id in (${a}, ${b}) and amount_fen > 0) as earned`,
    );
    expect(counts).toMatchObject({ accruals: 300, keys: 300 });
    // one journal per institution and month of each batch, never more than one per earned accrual
    expect(counts!.journals).toBeGreaterThan(0);
    expect(counts!.journals).toBeLessThan(counts!.earned);
    expect(await uncovered([a, b])).toEqual([]);
    // the tiers counted each event once: ordinals run 1..n without gaps per institution and rule
    const gaps = await queryRows(
      handle.db,
      sql`select institution_id, rule from commission_accruals where institution_id in (${a}, ${b})
           group by 1, 2 having max(ordinal) <> count(*) or count(distinct ordinal) <> count(*)`,
    );
    expect(gaps).toEqual([]);
    const unbalanced = await queryRows(handle.db, sql`select journal_id, currency from ledger_entries group by 1, 2 having sum(amount_fen) <> 0`);
    expect(unbalanced).toEqual([]);
    const receivable = await queryRows<{ total: string }>(handle.db, sql`select coalesce(sum(amount_fen), 0)::text as total from commission_accruals where institution_id in (${a}, ${b})`);
    expect((await accountBalance(handle.db, `receivable:institution:${a}`)) + (await accountBalance(handle.db, `receivable:institution:${b}`))).toBe(Number(receivable[0]!.total));
  });

  it('the same source key racing under two months posts once: a batch that counted it is rolled back and retried', { timeout: 120_000 }, async () => {
    const institutionId = await newInstitution([v2]);
    const march = shanghaiMidnight('2026-03-31')!;
    const april = shanghaiMidnight('2026-04-01')!;
    const events = (at: Date, from: number): AccrualEvent[] =>
      Array.from({ length: 20 }, (_, i) => ({ rule: 'cpl' as const, applicationId: `month_race_${n}_${from + i}`, institutionId, at }));
    // March and April hold overlapping keys (10..19): the two batches lock different months
    const retrying = async (batch: AccrualEvent[]) => {
      for (let attempt = 0; ; attempt++) {
        try {
          return await withTransaction(handle.db, (tx) => settlement.accrueBatch(tx, batch));
        } catch (err) {
          if (!(err instanceof ConcurrentAccrualError) || attempt > 5) throw err;
        }
      }
    };
    const [first, second] = await Promise.all([retrying(events(march, 0)), retrying(events(april, 10))]);
    const posted = [...first, ...second].filter((r) => r?.posted).map((r) => r!.sourceKey);
    expect(new Set(posted).size).toBe(posted.length);
    expect(posted).toHaveLength(30);
    const [row] = await queryRows<{ accruals: number; journals: number; earned: number; total: string }>(
      handle.db,
      sql`select (select count(*)::int from commission_accruals where institution_id = ${institutionId}) as accruals,
                 (select count(*)::int from commission_accruals where institution_id = ${institutionId} and amount_fen > 0) as earned,
                 (select count(*)::int from ledger_journals where institution_id = ${institutionId}) as journals,
                 (select coalesce(sum(amount_fen), 0)::text from commission_accruals where institution_id = ${institutionId}) as total`,
    );
    // v2 caps CPL at 3,000 fen a month: the events past the cap accrue at 0 with no journal
    expect(row).toMatchObject({ accruals: 30 });
    expect(row!.earned).toBeGreaterThan(0);
    expect(row!.journals).toBeGreaterThan(0);
    expect(await uncovered([institutionId])).toEqual([]);
    expect(await accountBalance(handle.db, `receivable:institution:${institutionId}`)).toBe(Number(row!.total));
  });
});
