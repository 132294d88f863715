import type request from 'supertest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../server/db/client';
import { withTransaction } from '../../server/lib/tx';
import { startTestApp, type TestApp } from '../support/app';
import { csrfFrom, staffAgent } from '../support/http';

type Agent = ReturnType<typeof request.agent>;

describe('reconciliation: upload or API, all-or-nothing, once per identical report, resolved by finance', () => {
  let t: TestApp;
  let partner: Agent;
  let operator: Agent;

  beforeAll(async () => {
    t = await startTestApp();
    const { settlement } = t.container.services;
    const institutionId = t.fixtures.institutionA.id;
    await withTransaction(t.container.database.db, async (tx) => {
      await settlement.accrue(tx, { rule: 'cps', applicationId: 'app_same', institutionId, at: new Date('2026-08-03T02:00:00Z'), baseAmountFen: 1_000_000 });
      await settlement.accrue(tx, { rule: 'cps', applicationId: 'app_diff', institutionId, at: new Date('2026-08-04T02:00:00Z'), baseAmountFen: 2_000_000 });
      await settlement.accrue(tx, { rule: 'cps', applicationId: 'app_ours', institutionId, at: new Date('2026-08-05T02:00:00Z'), baseAmountFen: 3_000_000 });
    });
    partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
  });
  afterAll(() => t?.close());

  const imports = async () => (await queryRows<{ n: number }>(t.container.database.db, sql`select count(*)::int as n from reconciliation_imports`))[0]!.n;
  const good = '\uFEFFapplication_id,disbursed_at,amount_yuan\napp_same,2026-08-03,10000\napp_diff,2026-08-04 10:00:00,19000.50\napp_theirs,2026-08-06,5000\n';

  it('a file with a bad row imports nothing and names the line', async () => {
    const page = await partner.get('/partner/reconciliations').expect(200);
    const bad = await partner
      .post('/partner/reconciliations')
      .field('_csrf', csrfFrom(page.text))
      .attach('file', Buffer.from('application_id,disbursed_at,amount_yuan\napp_same,2026-08-03,10000\napp_x,yesterday,5\n'), 'report.csv')
      .expect(400);
    expect(bad.text).toContain('第 3 行');
    expect(await imports()).toBe(0);
  });

  it('uploads a report and shows matched, missing on both sides and amount differences; the same file again imports nothing new', async () => {
    const page = await partner.get('/partner/reconciliations').expect(200);
    const csrf = csrfFrom(page.text);
    const res = await partner.post('/partner/reconciliations').field('_csrf', csrf).attach('file', Buffer.from(good), 'report.csv').expect(303);
    const detail = await partner.get(res.headers.location!).expect(200);
    expect(detail.text).toContain('data-kind="amount" data-application-id="app_diff"');
    expect(detail.text).toContain('data-kind="missing_ours" data-application-id="app_theirs"');
    expect(detail.text).toContain('data-kind="missing_theirs" data-application-id="app_ours"');
    const again = await partner.post('/partner/reconciliations').field('_csrf', csrf).attach('file', Buffer.from(good), 'report.csv').expect(303);
    expect(again.headers.location).toBe(res.headers.location);
    expect(await imports()).toBe(1);
    // institution B cannot see A's import
    const other = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    await other.get(res.headers.location!).expect(404);
  });

  it('the API takes the same report as JSON, rejects bad rows with line numbers, and deduplicates', async () => {
    const rows = [
      { applicationId: 'app_same', disbursedAt: '2026-08-03', amountYuan: '10000' },
      { applicationId: 'app_diff', disbursedAt: '2026-08-04T02:00:00Z', amountYuan: 20000 },
    ];
    const bad = await partner.post('/api/partner/v1/reconciliations').send({ rows: [...rows, { applicationId: 'x', disbursedAt: 'soon', amountYuan: '1' }] }).expect(400);
    expect(bad.body.error.fields).toHaveProperty(['line 3']);
    await partner.post('/api/partner/v1/reconciliations').send({ rows, institutionId: 'x' }).expect(400);
    const created = await partner.post('/api/partner/v1/reconciliations').send({ rows }).expect(201);
    expect(created.body).toMatchObject({ matched: 2, duplicate: false });
    expect(created.body.differences).toEqual([expect.objectContaining({ applicationId: 'app_ours', kind: 'missing_theirs' })]);
    const dup = await partner.post('/api/partner/v1/reconciliations').send({ rows }).expect(200);
    expect(dup.body).toMatchObject({ id: created.body.id, duplicate: true });
  });

  it('finance resolves a difference by an adjustment (ledger journal) or by rejecting it, once', async () => {
    const list = await operator.get('/admin/finance/reconciliations').expect(200);
    const importId = [...list.text.matchAll(/data-import-id="(rec_[a-z0-9]+)"/g)].map((m) => m[1]!).at(-1)!; // the upload, the oldest
    const page = await operator.get(`/admin/finance/reconciliations/${importId}`).expect(200);
    const csrf = csrfFrom(page.text);
    const ids = [...page.text.matchAll(/id="diff-(rdf_[a-z0-9]+)"/g)].map((m) => m[1]!);
    expect(ids.length).toBeGreaterThanOrEqual(2);
    const bad = await operator.post(`/admin/finance/differences/${ids[0]}/resolve?import=${importId}`).type('form').send({ _csrf: csrf, action: 'adjust', amount: 'abc', reason: '核实' }).expect(400);
    expect(bad.text).toContain('金额须为元');
    await operator.post(`/admin/finance/differences/${ids[0]}/resolve?import=${importId}`).type('form').send({ _csrf: csrf, action: 'adjust', amount: '-15', reason: '按机构金额调整' }).expect(303);
    await operator.post(`/admin/finance/differences/${ids[1]}/resolve?import=${importId}`).type('form').send({ _csrf: csrf, action: 'reject', reason: '平台记录为准' }).expect(303);
    await operator.post(`/admin/finance/differences/${ids[1]}/resolve?import=${importId}`).type('form').send({ _csrf: csrf, action: 'reject', reason: '再次' }).expect(409);
    const journals = await queryRows<{ kind: string; total: string }>(
      t.container.database.db,
      sql`select j.kind, sum(e.amount_fen) as total from ledger_journals j join ledger_entries e on e.journal_id = j.id where j.kind = 'settlement_adjustment' group by j.kind`,
    );
    expect(journals).toEqual([{ kind: 'settlement_adjustment', total: '0' }]);
    const audit = await t.container.services.audit.recentActions('reconciliation.rejected');
    expect(audit).toHaveLength(1);
  });
});
