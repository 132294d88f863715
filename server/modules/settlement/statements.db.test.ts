import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows, sqlState, type DatabaseHandle } from '../../db/client';
import { withTransaction } from '../../lib/tx';
import { databaseTargets } from '../../../test/support/database';
import { testCipher } from '../../../test/support/pii';
import { AuditService } from '../audit';
import { InstitutionsService } from '../institutions';
import { shanghaiMidnight, type CommissionRule } from './commission';
import { accountBalance } from './ledger';
import { SettlementService } from './settlement.service';
import { StatementsService } from './statements.service';
import { systemClock } from '../../lib/clock';

const operator = { kind: 'operator' as const, id: 'op_test' };

describe.each(databaseTargets())('statements on $name', (target) => {
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

  const setup = async () => {
    const institutionId = (await institutions.create({ name: `结算机构${++n}有限公司`, shortName: `结算${n}`, kind: 'bank' })).id;
    await settlement.createAgreement({ institutionId, cplFen: 1_000, cpaFen: 5_000, cpsRate: '0.01', reversalWindowDays: 60, effectiveFrom: shanghaiMidnight('2026-01-01')! });
    return institutionId;
  };
  const accrue = (institutionId: string, rule: CommissionRule, applicationId: string, at: string, baseAmountFen?: number) =>
    withTransaction(handle.db, (tx) => settlement.accrue(tx, { rule, applicationId, institutionId, at: new Date(at), baseAmountFen }));

  it('closes a month into lines, subtotals and a due date; a rerun changes nothing; a late item goes to the next statement', async () => {
    const institutionId = await setup();
    await accrue(institutionId, 'cpl', 'a1', '2026-03-02T02:00:00Z');
    await accrue(institutionId, 'cpa', 'a1', '2026-03-03T02:00:00Z');
    await accrue(institutionId, 'cps', 'a1', '2026-03-31T15:30:00Z', 1_000_000); // 2026-03-31 23:30 in Shanghai
    await accrue(institutionId, 'cpl', 'a2', '2026-04-01T01:00:00Z'); // April in Shanghai
    await withTransaction(handle.db, (tx) => settlement.reverseIn(tx, 'cpa:a1', '客户撤回', { at: new Date('2026-03-20T02:00:00Z') }));

    const now = new Date('2026-04-01T02:00:00+08:00');
    const first = await statements.closeMonth('2026-03', { now, institutionIds: [institutionId] });
    expect(first.created).toHaveLength(1);
    const s = await statements.detail(first.created[0]!);
    expect(s).toMatchObject({ period: '2026-03', status: 'draft', dueDate: '2026-04-15', totalFen: 1_000 + 10_000, lineCount: 4, lateFen: 0 });
    expect(s.lines.map((l) => [l.kind, l.sourceKey, l.amountFen])).toEqual([
      ['accrual', 'cpl:a1', 1_000],
      ['accrual', 'cpa:a1', 5_000],
      ['accrual', 'cps:a1', 10_000],
      ['reversal', 'rev:cpa:a1', -5_000],
    ]);
    expect(s.subtotals).toEqual([
      { rule: 'cpl', count: 1, amountFen: 1_000 },
      { rule: 'cpa', count: 1, amountFen: 0 },
      { rule: 'cps', count: 1, amountFen: 10_000 },
    ]);

    const again = await statements.closeMonth('2026-03', { now, institutionIds: [institutionId] });
    expect(again).toMatchObject({ created: [], existing: [s.id] });

    // a March event written after March closed: the March statement stays, April carries it, late
    await accrue(institutionId, 'cpl', 'late1', '2026-03-30T02:00:00Z');
    expect((await statements.detail(s.id)).totalFen).toBe(11_000);
    const april = await statements.closeMonth('2026-04', { now: new Date('2026-05-01T03:00:00+08:00'), institutionIds: [institutionId] });
    const next = await statements.detail(april.created[0]!);
    expect(next.lines.map((l) => [l.sourceKey, l.late])).toEqual([
      ['cpl:late1', true],
      ['cpl:a2', false],
    ]);
    expect(next).toMatchObject({ totalFen: 2_000, lateFen: 1_000 });
    await expect(handle.db.execute(sql`update statement_lines set amount_fen = 0`)).rejects.toSatisfy((e: unknown) => sqlState(e) === '23001');
  });

  it('dispute, adjustment on the next statement, bank transfer, paid; receivable = totals - payments + unbilled', async () => {
    const institutionId = await setup();
    await accrue(institutionId, 'cpa', 'b1', '2026-05-03T02:00:00Z');
    await accrue(institutionId, 'cpa', 'b2', '2026-05-04T02:00:00Z');
    const closed = await statements.closeMonth('2026-05', { now: new Date('2026-06-01T02:00:00+08:00'), institutionIds: [institutionId] });
    const id = closed.created[0]!;
    await statements.issue(id, operator);
    const detail = await statements.detail(id, { institutionId });
    const [l1, l2] = detail.lines;
    await statements.review(institutionId, id, l1!.id, { decision: 'confirmed', reason: '' }, { kind: 'institution', id: 'x' });
    await expect(statements.review(institutionId, id, l2!.id, { decision: 'disputed', reason: '' }, { kind: 'institution', id: 'x' })).rejects.toThrow('异议');
    await statements.review(institutionId, id, l2!.id, { decision: 'disputed', reason: '该客户未放款' }, { kind: 'institution', id: 'x' });
    expect((await statements.detail(id)).status).toBe('disputed');
    // another institution cannot see it
    await expect(statements.detail(id, { institutionId: 'other' })).rejects.toThrow();

    await statements.resolveDispute(l2!.id, { action: 'adjust', amountFen: -5_000, reason: '核实未放款，退回佣金' }, operator, new Date('2026-06-05T02:00:00Z'));
    await expect(statements.resolveDispute(l2!.id, { action: 'reject', reason: '重复' }, operator)).rejects.toThrow('已处理');
    expect((await statements.detail(id)).status).toBe('issued');

    await statements.recordBankTransfer(id, { amountFen: 4_000, paidAt: new Date('2026-06-10T02:00:00Z'), reference: 'BANK-1' }, operator);
    expect((await statements.detail(id)).status).toBe('issued');
    await statements.recordBankTransfer(id, { amountFen: 6_000, paidAt: new Date('2026-06-11T02:00:00Z'), reference: 'BANK-2' }, operator);
    expect(await statements.detail(id)).toMatchObject({ status: 'paid', paidFen: 10_000, outstandingFen: 0 });

    const june = await statements.closeMonth('2026-06', { now: new Date('2026-07-01T02:00:00+08:00'), institutionIds: [institutionId] });
    const adj = await statements.detail(june.created[0]!);
    expect(adj.lines.map((l) => [l.kind, l.amountFen])).toEqual([['adjustment', -5_000]]);
    expect(adj).toMatchObject({ adjustmentsFen: -5_000, totalFen: -5_000 });
    const receivable = await accountBalance(handle.db, `receivable:institution:${institutionId}`);
    expect(receivable).toBe(10_000 - 5_000 - 10_000);
    const [unbalanced] = await queryRows<{ count: number }>(
      handle.db,
      sql`select count(*)::int as count from (select journal_id from ledger_entries group by journal_id having sum(amount_fen) <> 0) x`,
    );
    expect(unbalanced!.count).toBe(0);
  });
});
