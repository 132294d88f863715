import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { unifiedCodeCheckChar } from '../../server/modules/institutions/unified-code';
import { startTestApp, type TestApp } from '../support/app';
import { apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';
import { acceptOffer } from '../support/offers';

const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const code17 = '91310000MA1K00042';

/** The checkbox an irreversible form carries, saying what will happen (partials/confirm.hbs). */
const confirmBox = /<label class="confirm-check"><input type="checkbox" name="confirm" value="yes" required data-testid="confirm"> <span>([^<]+)<\/span><\/label>/g;

/**
 * Irreversible actions ask first and say what will happen, without any script: the form carries a
 * required checkbox, and a post without it is refused with 400, the form shown again, nothing
 * changed and nothing typed lost. Destructive buttons look unlike approving ones.
 */
describe('irreversible actions ask for confirmation', () => {
  let t: TestApp;
  let partner: Awaited<ReturnType<typeof staffAgent>>;
  let operator: Awaited<ReturnType<typeof staffAgent>>;

  beforeAll(async () => {
    t = await startTestApp();
    partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
  }, 120_000);
  afterAll(() => t?.close());

  const leadStatus = async (id: string) => (await partner.get(`/api/partner/v1/leads/${id}`).expect(200)).body.status as string;

  it('approving, rejecting and disbursing a lead: each form says what happens; without the tick nothing changes', async () => {
    const consumer = await consumerAgent(t.app);
    const lead = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const page = (await partner.get(`/partner/leads/${lead.id}`).expect(200)).text;
    const texts = [...page.matchAll(confirmBox)].map((m) => m[1]);
    expect(texts).toEqual([expect.stringContaining('作为报价发给用户'), expect.stringContaining('申请即结束，用户会收到通知')]);
    // reject is a danger button, approve the main one
    expect(page).toMatch(/<button class="btn" type="submit">批准<\/button>/);
    expect(page).toMatch(/<button class="btn danger" type="submit">拒绝申请<\/button>/);

    const post = (fields: Record<string, string>) =>
      partner.post(`/partner/leads/${lead.id}/status`).type('form').send({ _csrf: csrfFrom(page), idempotencyKey: crypto.randomUUID(), ...fields });
    const approve = { status: 'approved', offeredAmount: '42000', offeredTermMonths: '12', offeredAprPercent: '12.5' };
    const unticked = await post(approve).expect(400);
    expect(unticked.text).toContain('请勾选确认：此操作无法撤回');
    expect(unticked.text).toContain('value="42000"'); // what was typed stays
    expect(unticked.text).toContain('value="12.5"');
    expect(await leadStatus(lead.id)).toBe('submitted');
    // a typo and the missing tick are reported together
    const both = await post({ ...approve, offeredAprPercent: '12%' }).expect(400);
    expect(both.text).toContain('请输入百分比');
    expect(both.text).toContain('请勾选确认');
    await post({ status: 'rejected', reason: 'income' }).expect(400);
    expect(await leadStatus(lead.id)).toBe('submitted');

    await post({ ...approve, confirm: 'yes' }).expect(303);
    expect(await leadStatus(lead.id)).toBe('approved');
    // the offer waits for the borrower: nothing to disburse yet
    const waiting = (await partner.get(`/partner/leads/${lead.id}`).expect(200)).text;
    expect([...waiting.matchAll(confirmBox)]).toEqual([]);
    expect(waiting).toContain('data-testid="offer-state">待借款人确认</b>');
    await acceptOffer(t, lead.id);
    const approved = (await partner.get(`/partner/leads/${lead.id}`).expect(200)).text;
    expect([...approved.matchAll(confirmBox)].map((m) => m[1])).toEqual([expect.stringContaining('生成贷款和还款计划')]);
    await partner.post(`/partner/leads/${lead.id}/status`).type('form').send({ _csrf: csrfFrom(approved), idempotencyKey: crypto.randomUUID(), status: 'disbursed', amount: '42000' }).expect(400);
    expect(await leadStatus(lead.id)).toBe('accepted');
    // the API is for programs: no one to ask
    await partner.post(`/api/partner/v1/leads/${lead.id}/status`).send({ status: 'disbursed', amount: 42000 }).expect(200);
  });

  it('withdrawing a consent or an application asks first', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const myData = (await consumer.agent.get('/my-data').expect(200)).text;
    expect([...myData.matchAll(confirmBox)].map((m) => m[1])).toEqual([expect.stringContaining('不能再查看你的信息')]);
    expect(myData).toContain('<button class="btn danger small" type="submit">撤回授权</button>');
    const consentId = /data-consent-id="([^"]+)"/.exec(myData)![1]!;
    const refused = await consumer.agent.post(`/consents/${consentId}/withdraw`).type('form').send({ _csrf: csrfFrom(myData) }).expect(400);
    expect(refused.text).toContain('data-testid="confirm-error">请勾选确认');
    expect(refused.text).toContain('授权中');

    const appPage = (await consumer.agent.get(`/applications/${app.id}`).expect(200)).text;
    expect([...appPage.matchAll(confirmBox)].map((m) => m[1])).toEqual([expect.stringContaining('撤回后这笔申请即结束')]);
    await consumer.agent.post(`/applications/${app.id}/withdraw`).type('form').send({ _csrf: csrfFrom(appPage) }).expect(400);
    expect((await consumer.agent.get(`/api/v1/applications/${app.id}`).expect(200)).body.status).toBe('submitted');
    await consumer.agent.post(`/applications/${app.id}/withdraw`).type('form').send({ _csrf: csrfFrom(appPage), confirm: 'yes' }).expect(303);
    expect((await consumer.agent.get(`/api/v1/applications/${app.id}`).expect(200)).body.status).toBe('withdrawn');
    await consumer.agent.post(`/consents/${consentId}/withdraw`).type('form').send({ _csrf: csrfFrom(myData), confirm: 'yes' }).expect(303);
    expect((await consumer.agent.get('/my-data').expect(200)).text).toContain('已撤回');
  });

  it('onboarding approval shows the checklist and the licence first, and says what approval does', async () => {
    const { onboarding } = await t.container.services.onboarding.submit(
      {
        legalName: '上海己消费金融有限公司',
        shortName: '己消费金融',
        kind: 'consumer_finance',
        unifiedCode: code17 + unifiedCodeCheckChar(code17),
        licenceType: '金融许可证',
        licenceNumber: 'JR-2026-0042',
        licenceExpiresOn: new Date(Date.now() + 400 * 86_400_000).toISOString().slice(0, 10),
        contacts: [{ name: '己一', title: '合规负责人', phone: '13700004242', email: 'ji@example.com' }],
        adminUsername: 'ji.admin',
      },
      PNG,
    );
    const page = (await operator.get(`/admin/onboarding/${onboarding.id}`).expect(200)).text;
    const checklist = page.indexOf('data-testid="checklist"');
    const scan = page.indexOf('data-testid="licence-scan"');
    const approveForm = page.indexOf('data-testid="approve-form"');
    expect(checklist).toBeGreaterThan(0);
    expect(scan).toBeGreaterThan(checklist);
    expect(approveForm).toBeGreaterThan(scan);
    expect(page).toContain('data-check="licence_valid" data-passed="yes"');
    expect(page).toContain('data-check="licence_scan" data-passed="manual"');
    expect(page).toContain(`<img class="licence-scan" src="/admin/onboarding/${onboarding.id}/licence"`);
    expect([...page.matchAll(confirmBox)].map((m) => m[1])).toEqual([expect.stringContaining('通过后将创建机构「己消费金融」，邀请管理员 ji.admin'), expect.stringContaining('拒绝后申请结束')]);
    expect(page).toContain('<button class="btn danger" type="submit">拒绝入驻</button>');

    const csrf = csrfFrom(page);
    const refused = await operator.post(`/admin/onboarding/${onboarding.id}/approve`).type('form').send({ _csrf: csrf }).expect(400);
    expect(refused.text).toContain('请勾选确认');
    // a rejection without the tick keeps the typed reason
    const keep = await operator.post(`/admin/onboarding/${onboarding.id}/reject`).type('form').send({ _csrf: csrf, body: '牌照扫描件不清晰' }).expect(400);
    expect(keep.text).toContain('>牌照扫描件不清晰</textarea>');
    expect((await t.container.services.onboarding.list()).find((o) => o.id === onboarding.id)!.status).toBe('submitted');
    await operator.post(`/admin/onboarding/${onboarding.id}/approve`).type('form').send({ _csrf: csrf, confirm: 'yes' }).expect(303);
    expect((await t.container.services.onboarding.list()).find((o) => o.id === onboarding.id)!.status).toBe('approved');
  });

  it('revoking an API key and deleting content ask too', async () => {
    const keys = (await partner.get('/partner/api-keys').expect(200)).text;
    const created = await partner.post('/partner/api-keys').type('form').send({ _csrf: csrfFrom(keys), name: '核心系统' }).expect(200);
    expect([...created.text.matchAll(confirmBox)].map((m) => m[1])).toEqual([expect.stringContaining('吊销后使用这把密钥的系统会立即被拒绝')]);
    const article = await t.container.services.content.createCategory({ name: '确认测试', sortOrder: 5 }, { kind: 'operator', id: null });
    const categories = (await operator.get('/admin/content/categories').expect(200)).text;
    expect(categories).toContain('删除分类不能恢复');
    const refused = await operator.post(`/admin/content/categories/${article.id}/delete`).type('form').send({ _csrf: csrfFrom(categories) }).expect(400);
    expect(refused.text).toContain('data-testid="confirm-error">请勾选确认');
    expect((await t.container.services.content.listCategories()).some((c) => c.id === article.id)).toBe(true);
  });
});
