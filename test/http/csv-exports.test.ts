import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { institutions } from '../../server/db/schema';
import { splitCsvLine } from '../../server/lib/csv-line';
import { withTransaction } from '../../server/lib/tx';
import { startTestApp, type TestApp } from '../support/app';
import { apply, consumerAgent, staffAgent } from '../support/http';

/** The cells of a CSV download, row by row (BOM dropped). */
const cells = (text: string) => {
  expect(text.charCodeAt(0)).toBe(0xfeff);
  return text
    .slice(1)
    .trim()
    .split('\n')
    .map((line) => splitCsvLine(line)!);
};
/** No cell would start a formula in a spreadsheet (OWASP's characters, and tab and CR). */
const noLiveFormula = (rows: string[][]) => {
  for (const row of rows) for (const cell of row) expect(cell, row.join(',')).not.toMatch(/^[=+@\t\r]|^-(?!\d+(\.\d+)?$)/);
};

describe('every CSV export writes text cells as text (formula injection)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('a borrower’s city =HYPERLINK("//e.x") reaches both lead exports as text', async () => {
    const consumer = await consumerAgent(t.app);
    await consumer.agent.put('/api/v1/profile').send({ city: '=HYPERLINK("//e.x")' }).expect(200);
    const lead = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);

    for (const path of ['/partner/leads.csv', '/api/partner/v1/leads/export.csv']) {
      const res = await partner.get(path).expect(200);
      expect(res.headers['content-type'], path).toContain('text/csv');
      expect(res.headers['cache-control'], path).toBe('private, no-store');
      const rows = cells(res.text);
      const row = rows.find((r) => r[0] === lead.id)!;
      expect(row[rows[0]!.indexOf('城市')], path).toBe('\'=HYPERLINK("//e.x")');
      expect(row[rows[0]!.indexOf('金额(元)')], path).toBe('50000.00');
      expect(res.text, path).toContain('"\'=HYPERLINK(""//e.x"")"');
      noLiveFormula(rows);
    }
  });

  it('statement and finance exports: names neutralised, a reversal stays a negative number', async () => {
    const { settlement, statements } = t.container.services;
    const institutionId = t.fixtures.institutionB.id;
    await t.container.database.db.update(institutions).set({ name: '=1+2 乙银行', shortName: '=1+2 乙银行' }).where(eq(institutions.id, institutionId));
    await withTransaction(t.container.database.db, async (tx) => {
      await settlement.accrue(tx, { rule: 'cpl', applicationId: 'app_csv1', institutionId, at: new Date('2026-05-03T02:00:00Z') });
      await settlement.accrue(tx, { rule: 'cpa', applicationId: 'app_csv1', institutionId, at: new Date('2026-05-04T02:00:00Z') });
    });
    const operatorActor = { kind: 'operator' as const, id: 'op' };
    await settlement.reverse('cpa:app_csv1', '@客户撤销申请', operatorActor, new Date('2026-05-06T02:00:00Z'));
    const closed = await statements.closeMonth('2026-05', { now: new Date('2026-06-01T02:00:00+08:00') });
    const statementId = closed.created[0]!;
    await statements.issue(statementId, operatorActor);

    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    const statement = cells((await partner.get(`/partner/statements/${statementId}/download.csv`).expect(200)).text);
    const amount = statement[0]!.indexOf('金额(元)');
    const amounts = statement.slice(1).filter((r) => r[1] === '冲回').map((r) => r[amount]);
    expect(amounts).toEqual(['-100.00']); // a number a spreadsheet can add up, not the text '-100.00
    expect(statement.find((r) => r[0] === '应付合计')![amount]).toBe('20.00');
    noLiveFormula(statement);

    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    for (const path of ['/admin/finance/statements.csv', '/admin/finance/receivables.csv']) {
      const rows = cells((await operator.get(path).expect(200)).text);
      expect(rows.some((r) => r.includes("'=1+2 乙银行")), path).toBe(true);
      noLiveFormula(rows);
    }
  });

  it('the audit log export, streamed row by row, neutralises every cell', async () => {
    await t.container.services.audit.recordNow({ kind: 'operator', id: '+cmd' }, { action: 'account.viewed', objectType: 'account', objectId: '-2+3', detail: { note: '=1' } });
    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const res = await operator.get('/admin/audit/export.csv').query({ action: 'account.viewed' }).expect(200);
    expect(res.headers['cache-control']).toBe('private, no-store');
    const rows = cells(res.text);
    const row = rows.find((r) => r.includes("'-2+3"))!;
    expect(row).toContain("'+cmd");
    expect(row).toContain("'-2+3");
    noLiveFormula(rows);
  });
});
