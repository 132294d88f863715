import { sql } from 'drizzle-orm';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, type DatabaseHandle } from '../../db/client';
import { withTransaction } from '../../lib/tx';
import { databaseTargets } from '../../../test/support/database';
import { testCipher } from '../../../test/support/pii';
import { AuditService } from '../audit';
import { InstitutionsService } from '../institutions';
import { shanghaiMidnight } from './commission';
import { accountBalance } from './ledger';
import { SettlementService } from './settlement.service';
import { StatementsService } from './statements.service';
import { systemClock } from '../../lib/clock';

const DAY = 86_400_000;
const months = ['2026-01', '2026-02', '2026-03', '2026-04'] as const;
const operator = { kind: 'operator' as const, id: 'op_prop' };

type Step =
  | { kind: 'accrue'; rule: 'cpl' | 'cpa' | 'cps'; app: number; month: number; day: number; base: number }
  | { kind: 'retry'; rule: 'cpl' | 'cpa' | 'cps'; app: number; month: number; day: number; base: number }
  | { kind: 'reverse'; rule: 'cpl' | 'cpa' | 'cps'; app: number }
  | { kind: 'close'; month: number }
  | { kind: 'pay'; fraction: number }
  | { kind: 'dispute'; amount: number };

const rule = fc.constantFrom('cpl' as const, 'cpa' as const, 'cps' as const);
const event = { rule, app: fc.integer({ min: 0, max: 7 }), month: fc.integer({ min: 0, max: 3 }), day: fc.integer({ min: 0, max: 27 }), base: fc.integer({ min: 1, max: 5_000_000 }) };
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('accrue' as const), ...event }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('retry' as const), ...event }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('reverse' as const), rule, app: fc.integer({ min: 0, max: 7 }) }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('close' as const), month: fc.integer({ min: 0, max: 3 }) }) },
  // above 1: more than is outstanding, declared as an overpayment
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('pay' as const), fraction: fc.double({ min: 0.1, max: 1.5, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('dispute' as const), amount: fc.integer({ min: -5_000, max: 5_000 }).filter((n) => n !== 0) }) },
);

/**
 * Random sequences of accruals, retries, reversals, month closes (in any order, reruns included),
 * payments (some beyond what is outstanding, declared as overpayments) and dispute adjustments: every
 * journal balances, each institution's receivable equals its statement totals minus what was paid
 * towards them plus what is not billed yet, and its credit holds exactly the overpayments.
 */
describe.each(databaseTargets())('settlement invariants on $name', (target) => {
  let handle: DatabaseHandle;
  let settlement: SettlementService;
  let statements: StatementsService;
  let institutions: InstitutionsService;
  let n = 0;

  beforeAll(async () => {
    handle = await target.open();
    const pii = testCipher();
    const audit = new AuditService({ db: handle.db, pii });
    settlement = new SettlementService({ db: handle.db, pii, audit, clock: systemClock });
    statements = new StatementsService({ db: handle.db, audit, clock: systemClock });
    institutions = new InstitutionsService({ db: handle.db, audit });
  });
  afterAll(() => handle?.close());

  it('the ledger balances and receivables equal statements − payments + unbilled', { timeout: 240_000 }, async () => {
    const seen = { statements: 0, payments: 0, overpayments: 0, adjustments: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 5, maxLength: 30 }), async (steps) => {
        const institutionId = (await institutions.create({ name: `性质机构${++n}有限公司`, shortName: `性质${n}`, kind: 'bank' })).id;
        await settlement.createAgreement({
          institutionId,
          cplFen: 1_000,
          cpaFen: 5_000,
          cpsRate: '0.012',
          tiers: [{ rule: 'cpl', fromCount: 3, amountFen: 700 }],
          cpaMonthlyCapFen: 12_000,
          reversalWindowDays: 60,
          effectiveFrom: shanghaiMidnight('2026-01-01')!,
        });
        const at = (month: number, day: number) => new Date(shanghaiMidnight(`${months[month]}-01`)!.getTime() + day * DAY + 3_600_000);
        for (const s of steps) {
          if (s.kind === 'accrue' || s.kind === 'retry') {
            const times = s.kind === 'retry' ? 2 : 1;
            for (let i = 0; i < times; i++) {
              await withTransaction(handle.db, (tx) =>
                settlement.accrue(tx, { rule: s.rule, applicationId: `${institutionId}_${s.app}`, institutionId, at: at(s.month, s.day), baseAmountFen: s.base }),
              );
            }
          } else if (s.kind === 'reverse') {
            const key = `${s.rule}:${institutionId}_${s.app}`;
            const [accrual] = await queryRows<{ event_at: Date }>(handle.db, sql`select event_at from commission_accruals where source_key = ${key}`);
            if (accrual) await withTransaction(handle.db, (tx) => settlement.reverseIn(tx, key, '撤回', { at: new Date(new Date(accrual.event_at).getTime() + DAY) }));
          } else if (s.kind === 'close') {
            const result = await statements.closeMonth(months[s.month]!, { now: new Date('2026-06-01T00:00:00Z'), institutionIds: [institutionId] });
            for (const id of result.created) await statements.issue(id, operator);
            seen.statements += result.created.length;
          } else if (s.kind === 'pay') {
            const open = (await statements.list({ institutionId })).find((x) => x.outstandingFen > 0);
            if (open) {
              const amountFen = Math.max(1, Math.floor(open.outstandingFen * s.fraction));
              const overpayment = amountFen > open.outstandingFen;
              await statements.recordBankTransfer(
                open.id,
                { amountFen, paidAt: new Date('2026-05-20T00:00:00Z'), reference: `P${n}-${seen.payments}`, overpayment, overpaymentReason: overpayment ? '机构多转' : undefined },
                operator,
              );
              seen.payments += 1;
              if (overpayment) seen.overpayments += 1;
            }
          } else {
            const list = await statements.list({ institutionId });
            const target = list.find((x) => x.status !== 'paid');
            if (target) {
              const detail = await statements.detail(target.id);
              const line = detail.lines.find((l) => !l.review);
              if (line) {
                await statements.review(institutionId, target.id, line.id, { decision: 'disputed', reason: '金额有误' }, { kind: 'institution', id: 'x' });
                await statements.resolveDispute(line.id, { action: 'adjust', amountFen: s.amount, reason: '核实调整' }, operator, new Date('2026-04-10T00:00:00Z'));
                seen.adjustments += 1;
              }
            }
          }
        }
        const [unbalanced] = await queryRows<{ n: number }>(
          handle.db,
          sql`select count(*)::int as n from (select journal_id from ledger_entries group by journal_id having sum(amount_fen) <> 0) x`,
        );
        expect(unbalanced!.n).toBe(0);
        const [sums] = await queryRows<{ billed: string; paid: string; overpaid: string; unbilled: string }>(
          handle.db,
          sql`select
                (select coalesce(sum(total_fen), 0) from statements where institution_id = ${institutionId}) as billed,
                (select coalesce(sum(amount_fen), 0) from statement_payments where institution_id = ${institutionId}) as paid,
                (select coalesce(sum(overpayment_fen), 0) from statement_payments where institution_id = ${institutionId}) as overpaid,
                (select coalesce(sum(a.amount_fen), 0) from commission_accruals a where a.institution_id = ${institutionId}
                   and not exists (select 1 from statement_lines l where l.source_key = a.source_key))
                - (select coalesce(sum(a.amount_fen), 0) from commission_reversals r join commission_accruals a on a.source_key = r.source_key
                   where a.institution_id = ${institutionId} and not exists (select 1 from statement_lines l where l.source_key = 'rev:' || a.source_key))
                + (select coalesce(sum(j.amount_fen), 0) from settlement_adjustments j where j.institution_id = ${institutionId}
                   and not exists (select 1 from statement_lines l where l.source_key = 'adj:' || j.id)) as unbilled`,
        );
        const receivable = await accountBalance(handle.db, `receivable:institution:${institutionId}`);
        // an overpayment never reduces the receivable below what was billed: it is the institution's credit
        expect(receivable).toBe(Number(sums!.billed) - (Number(sums!.paid) - Number(sums!.overpaid)) + Number(sums!.unbilled));
        expect(await accountBalance(handle.db, `liability:institution-credit:${institutionId}`) + Number(sums!.overpaid)).toBe(0);
        // no statement is paid beyond its total except by a declared overpayment
        const [undeclared] = await queryRows<{ n: number }>(
          handle.db,
          sql`select count(*)::int as n from statements s where s.institution_id = ${institutionId}
                and (select coalesce(sum(amount_fen - overpayment_fen), 0) from statement_payments p where p.statement_id = s.id) > greatest(s.total_fen, 0)`,
        );
        expect(undeclared!.n).toBe(0);
        // each statement's total is the sum of its lines, and no item is billed twice (unique source key)
        const [mismatch] = await queryRows<{ n: number }>(
          handle.db,
          sql`select count(*)::int as n from statements s where s.institution_id = ${institutionId}
                and s.total_fen <> (select coalesce(sum(amount_fen), 0) from statement_lines l where l.statement_id = s.id)`,
        );
        expect(mismatch!.n).toBe(0);
      }),
      {
        numRuns: target.name === 'pglite' ? 30 : 20,
        // one sequence that surely bills, pays too much (declared), pays again and disputes, so every
        // kind of step is reached whatever the random ones draw
        examples: [
          [
            [
              { kind: 'accrue', rule: 'cpa', app: 0, month: 0, day: 3, base: 200_000 },
              { kind: 'accrue', rule: 'cps', app: 1, month: 0, day: 9, base: 3_000_000 },
              { kind: 'close', month: 0 },
              { kind: 'pay', fraction: 0.5 },
              { kind: 'pay', fraction: 1.4 },
              { kind: 'accrue', rule: 'cpl', app: 2, month: 1, day: 5, base: 1 },
              { kind: 'close', month: 1 },
              { kind: 'dispute', amount: -300 },
            ],
          ],
        ],
      },
    );
    // the sequences did reach statements, payments and adjustments
    expect(seen.statements).toBeGreaterThan(0);
    expect(seen.payments).toBeGreaterThan(0);
    expect(seen.overpayments).toBeGreaterThan(0);
    expect(seen.adjustments).toBeGreaterThan(0);
    console.info(`${target.name}: ${JSON.stringify(seen)}`);
  });
});
