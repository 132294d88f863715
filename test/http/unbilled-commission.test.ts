import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { shanghaiMonth } from '../../server/modules/settlement';
import { startTestApp, type TestApp } from '../support/app';
import { agendaTiles, apply, consumerAgent, staffAgent } from '../support/http';
import { acceptOffer } from '../support/offers';

/**
 * An institution sees what it owes before the month is billed: commission accrued this month
 * (CPL 20 + CPA 100 + CPS 1.5% of 50,000 = ¥870) shows beside 待付结算款 (¥0.00 until a statement
 * is issued), on the statements page and in the partner API; once finance issues the statement it
 * moves from 未出账 to 待付.
 */
describe('accrued, not yet billed commission', () => {
  let t: TestApp;
  let partner: Awaited<ReturnType<typeof staffAgent>>;
  const owed = 2_000 + 10_000 + 75_000;

  beforeAll(async () => {
    t = await startTestApp();
    const A = t.fixtures.institutionA;
    const c = await consumerAgent(t.app);
    const app = await apply(c.agent, A.productId);
    const { applications } = t.container.services;
    const actor = { kind: 'institution' as const, id: null };
    await applications.changeStatusByInstitution(A.id, app.id, { status: 'approved', offeredAmountFen: 5_000_000, offeredTermMonths: 12, offeredApr: '0.12' }, actor);
    await acceptOffer(t, app.id);
    await applications.changeStatusByInstitution(A.id, app.id, { status: 'disbursed', amountFen: 5_000_000 }, actor);
    partner = await staffAgent(t.app, 'partner', A.staff);
  }, 120_000);
  afterAll(() => t?.close());

  it('the 工作台 shows the accrued amount next to the billed unpaid amount', async () => {
    const tiles = await agendaTiles(partner, '/partner');
    expect(tiles.statements!.figure).toBe('¥0.00');
    expect(tiles.unbilled).toMatchObject({ figure: '¥870.00', alert: false, href: '/partner/statements#unbilled' });
    expect(tiles.unbilled!.detail).toMatch(/^本月 ¥870\.00，\d{4}-\d{2}-01 出账$/);
    // the other institution owes nothing
    const b = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    expect((await agendaTiles(b, '/partner')).unbilled).toMatchObject({ figure: '¥0.00', detail: '没有待出账的佣金' });
  });

  it('the statements page and the partner API say the same', async () => {
    const page = (await partner.get('/partner/statements').expect(200)).text;
    expect(page).toContain('data-owed="billed">¥0.00<');
    expect(page).toContain('data-owed="current">¥870.00<');
    const api = (await partner.get('/api/partner/v1/statements/unbilled').expect(200)).body;
    expect(api).toMatchObject({ period: shanghaiMonth(new Date()), currentFen: owed, currentItems: 3, earlierFen: 0, totalFen: owed });
  });

  it('a draft statement still counts as not billed; once issued the amount is 待付, not 未出账', async () => {
    const { statements } = t.container.services;
    const A = t.fixtures.institutionA;
    const closed = await statements.closeFor(A.id, shanghaiMonth(new Date()), new Date());
    expect(closed.kind).toBe('created');
    expect((await statements.unbilled(A.id)).totalFen).toBe(owed);
    await statements.issue((closed as { statementId: string }).statementId, { kind: 'operator', id: null });
    const tiles = await agendaTiles(partner, '/partner');
    expect(tiles.statements!.figure).toBe('¥870.00');
    expect(tiles.unbilled!.figure).toBe('¥0.00');
    expect((await partner.get('/api/partner/v1/statements/unbilled').expect(200)).body).toMatchObject({ currentFen: 0, totalFen: 0 });
  });
});
