import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applications } from '../../server/modules/applications/applications.schema';
import { complaints, productReviews } from '../../server/modules/feedback/feedback.schema';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { csrfFrom, newPhone, staffAgent } from '../support/http';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/** Form posts of a signed-in agent: the CSRF token is read from the page first. */
async function postForm(agent: ReturnType<typeof request.agent>, page: string, path: string, fields: Record<string, string>) {
  const csrf = csrfFrom((await agent.get(page).expect(200)).text);
  return agent.post(path).type('form').send({ _csrf: csrf, ...fields });
}

const profileFields = { description: '甲银行是一家全国性股份制商业银行，提供个人信用贷款。', regulator: '国家金融监督管理总局', servicePhone: '95555', serviceHours: '每天 9:00–21:00' };

describe.each(databaseTargets())('lender profiles, on $name', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ database: await target.open() });
  });
  afterAll(() => t?.close());

  it('the public page shows licence, figures over 90 days with their basis, reviews and the complaint record, computed from the data', async () => {
    const { db } = t.container.database;
    const { institutionA: a, institutionB: b } = t.fixtures;
    const consumer = await t.container.services.accounts.registerConsumer({ phone: newPhone(), password: 'Lantern-58-sky' });
    const now = Date.now();
    const pii = 'v1.sealed';
    let n = 0;
    const app = (institution: typeof a, status: (typeof applications.$inferSelect)['status'], ageMs: number, responseMinutes: number | null) => ({
      id: `app_fig_${n++}`,
      consumerId: consumer.id,
      productId: institution.productId,
      institutionId: institution.id,
      amountFen: 1_000_000,
      termMonths: 12,
      purpose: '消费',
      applicantNameEnc: pii,
      applicantCity: '北京',
      status,
      createdAt: new Date(now - ageMs),
      firstResponseAt: responseMinutes === null ? null : new Date(now - ageMs + responseMinutes * MINUTE),
      ...(status === 'disbursed' ? { disbursedAmountFen: 1_000_000, disbursedAt: new Date(now - ageMs + DAY) } : {}),
    });
    // 甲: 10 decided in the window (7 approved whatever the borrower did next, 3 rejected), answered after 10…100 minutes; 2 waiting
    const decided = ['approved', 'approved', 'accepted', 'declined', 'disbursed', 'disbursed', 'disbursed', 'rejected', 'rejected', 'rejected'] as const;
    await db.insert(applications).values([
      ...decided.map((s, i) => app(a, s, (i + 1) * DAY, (i + 1) * 10)),
      app(a, 'submitted', HOUR, null),
      app(a, 'submitted', 2 * HOUR, null),
      // outside the 90-day window: not counted
      app(a, 'rejected', 120 * DAY, 5),
      // 乙: 3 decided, too few
      app(b, 'approved', DAY, 30),
      app(b, 'rejected', DAY, 30),
      app(b, 'approved', DAY, 30),
    ]);
    let c = 0;
    const complaint = (ageMs: number, status: (typeof complaints.$inferSelect)['status'], resolvedAfterHours: number | null) => ({
      id: `cmp_fig_${c++}`,
      consumerId: consumer.id,
      consumerNameMasked: '王**',
      institutionId: a.id,
      category: 'fees' as const,
      subject: '费用问题',
      description: '收取了未告知的服务费用',
      status,
      firstResponseDueAt: new Date(now - ageMs + DAY),
      resolutionDueAt: new Date(now - ageMs + 7 * DAY),
      resolvedAt: resolvedAfterHours === null ? null : new Date(now - ageMs + resolvedAfterHours * HOUR),
      createdAt: new Date(now - ageMs),
    });
    await db.insert(complaints).values([complaint(10 * DAY, 'resolved', 24), complaint(20 * DAY, 'resolved', 48), complaint(30 * DAY, 'closed', 12), complaint(2 * DAY, 'open', null), complaint(400 * DAY, 'resolved', 1)]);
    await db.insert(productReviews).values({ id: 'rev_fig', productId: a.productId, consumerId: consumer.id, reviewerNameMasked: '王**', rating: 4, body: '放款很快，客服耐心', status: 'approved' });

    const page = (await request(t.app).get(`/institutions/${a.id}`).expect(200)).text;
    expect(page).toContain('甲银行股份有限公司');
    expect(page).toContain('data-testid="approval-rate">70.00%<');
    expect(page).toContain('data-testid="response-time">55 分钟<');
    expect(page).toContain('近90天 12 笔申请，其中 10 笔已有审批结果、10 笔已获机构响应');
    expect(page).toContain('data-testid="complaint-count">4<');
    expect(page).toContain('data-testid="resolved-share">75.00%<');
    expect(page).toContain('data-testid="resolution-time">24 小时<');
    expect(page).toContain('data-testid="institution-rating">4.0<');
    expect(page).toContain('放款很快，客服耐心');
    expect(page).toContain('甲银行信用贷');

    const json = (await request(t.app).get(`/api/v1/institutions/${a.id}`).expect(200)).body;
    expect(json.figures).toMatchObject({ windowDays: 90, applications: 12, decided: 10, approvalRate: 0.7, responded: 10, medianResponseMinutes: 55 });
    expect(json.figures.complaints).toEqual({ windowDays: 365, count: 4, resolved: 3, resolvedShare: 0.75, medianResolutionHours: 24 });
    expect(json.reviews).toMatchObject({ count: 1, average: '4.0' });
    expect(json.products.map((p: { id: string }) => p.id)).toEqual([a.productId]);

    const few = (await request(t.app).get(`/institutions/${b.id}`).expect(200)).text;
    expect(few).toContain('data-testid="approval-rate">样本不足<');
    expect(few).toContain('data-testid="response-time">样本不足<');
    expect(few).toContain('data-testid="complaint-count">0<');
    const fewJson = (await request(t.app).get(`/api/v1/institutions/${b.id}`).expect(200)).body;
    expect(fewJson.figures).toMatchObject({ applications: 3, decided: 3, approvalRate: null, medianResponseMinutes: null });

    await request(t.app).get('/institutions/ins_nope').expect(404);
    await request(t.app).get('/api/v1/institutions/ins_nope').expect(404);
    // product pages and search results link to the lender
    expect((await request(t.app).get(`/products/${a.productId}`).expect(200)).text).toContain(`href="/institutions/${a.id}"`);
  });

  it('an institution edits its public information as a draft; the page keeps the approved version until an operator approves', async () => {
    const { institutionA: a, institutionB: b, operator } = t.fixtures;
    const staffA = await staffAgent(t.app, 'partner', a.staff);
    const staffB = await staffAgent(t.app, 'partner', b.staff);
    const op = await staffAgent(t.app, 'admin', operator);

    const missing = await postForm(staffA, '/partner/profile', '/partner/profile', { ...profileFields, servicePhone: 'call me' });
    expect(missing.status).toBe(400);
    expect(missing.text).toContain('请填写有效的客服电话');
    expect(missing.text).toContain('甲银行是一家全国性股份制商业银行'); // typed values kept
    await postForm(staffA, '/partner/profile', '/partner/profile', profileFields).then((r) => expect(r.status).toBe(303));

    // not shown yet; a second draft waits for the first
    expect((await request(t.app).get(`/institutions/${a.id}`).expect(200)).text).not.toContain('95555');
    const again = await staffA.post('/api/partner/v1/profile/drafts').send({ ...profileFields, serviceHours: '工作日 9:00–18:00' }).expect(409);
    expect(again.body.error.code).toBe('version_in_review');
    const bad = await staffA.post('/api/partner/v1/profile/drafts').send({ ...profileFields, institutionId: b.id }).expect(400);
    expect(bad.body.error.fields).toHaveProperty('institutionId');

    const own = (await staffA.get('/api/partner/v1/profile').expect(200)).body;
    expect(own.drafts).toHaveLength(1);
    const draftId = own.drafts[0].id as string;
    expect(own.drafts[0]).toMatchObject({ status: 'submitted', proposed: profileFields });
    await staffA.get(`/api/partner/v1/profile/drafts/${draftId}`).expect(200);
    // another institution's draft is not found
    await staffB.get(`/api/partner/v1/profile/drafts/${draftId}`).expect(404);

    // the operator sees the difference; rejecting needs a reason, approving the confirmation
    const queue = (await op.get('/admin/profile-reviews').expect(200)).text;
    expect(queue).toContain(`data-draft-id="${draftId}"`);
    const review = (await op.get(`/admin/profile-reviews/${draftId}`).expect(200)).text;
    expect(review).toMatch(/data-field="servicePhone" class="changed" data-changed="yes"><td>客服电话<\/td><td class="pre">—<\/td><td class="pre">95555</);
    const noReason = await postForm(op, `/admin/profile-reviews/${draftId}`, `/admin/profile-reviews/${draftId}/reject`, { comment: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('请写明驳回原因');
    const unconfirmed = await postForm(op, `/admin/profile-reviews/${draftId}`, `/admin/profile-reviews/${draftId}/approve`, {});
    expect(unconfirmed.status).toBe(400);
    await postForm(op, `/admin/profile-reviews/${draftId}`, `/admin/profile-reviews/${draftId}/approve`, { confirm: 'yes' }).then((r) => expect(r.status).toBe(303));
    await op.post(`/api/admin/v1/profile-drafts/${draftId}/approve`).send({}).expect(409);

    const shown = (await request(t.app).get(`/institutions/${a.id}`).expect(200)).text;
    expect(shown).toContain('data-testid="service-phone"><a href="tel:95555">95555</a>');
    expect(shown).toContain('国家金融监督管理总局');
    expect((await staffA.get('/partner/profile').expect(200)).text).toMatch(/data-draft-id="[^"]+"><td class="nowrap">[^<]+<\/td><td><span class="badge">已通过/);

    // a second change, rejected through the API with a reason the institution reads; the page is unchanged
    const second = (await staffA.post('/api/partner/v1/profile/drafts').send({ ...profileFields, servicePhone: '400-820-8888' }).expect(201)).body;
    const detail = (await op.get(`/api/admin/v1/profile-drafts/${second.id}`).expect(200)).body;
    expect(detail.diff.filter((d: { changed: boolean }) => d.changed).map((d: { key: string }) => d.key)).toEqual(['servicePhone']);
    await op.post(`/api/admin/v1/profile-drafts/${second.id}/reject`).send({}).expect(400);
    await op.post(`/api/admin/v1/profile-drafts/${second.id}/reject`).send({ comment: '客服电话与官网不一致' }).expect(200);
    expect((await staffA.get(`/api/partner/v1/profile/drafts/${second.id}`).expect(200)).body).toMatchObject({ status: 'rejected', reviewComment: '客服电话与官网不一致' });
    expect((await staffA.get('/partner/profile').expect(200)).text).toContain('客服电话与官网不一致');
    expect((await request(t.app).get(`/api/v1/institutions/${a.id}`).expect(200)).body.servicePhone).toBe('95555');

    const actions = (await t.container.services.audit.forObject('institution_profile_draft', second.id)).map((r) => r.action);
    expect(actions).toEqual(expect.arrayContaining(['institution_profile.submitted', 'institution_profile.review_viewed', 'institution_profile.rejected']));
  });

  it('operators edit an institution’s details with a reason, audited with before and after; a taken name is 409', async () => {
    const { institutionA: a, institutionB: b, operator } = t.fixtures;
    const op = await staffAgent(t.app, 'admin', operator);
    const page = `/admin/institutions/${b.id}`;
    const noReason = await postForm(op, page, `${page}/details`, { name: '乙银行股份有限公司', shortName: '乙银行', description: '乙银行简介', regulator: '', servicePhone: '', serviceHours: '', reason: '' });
    expect(noReason.status).toBe(400);
    expect(noReason.text).toContain('请填写 2–200 字的修改原因');
    const saved = await postForm(op, page, `${page}/details`, { name: '乙银行股份有限公司', shortName: '乙银行', description: '乙银行简介', regulator: '', servicePhone: '95588', serviceHours: '7×24 小时', reason: '机构来函更新客服信息' });
    expect(saved.status).toBe(303);
    const [row] = await t.container.services.audit.forObject('institution', b.id);
    expect(row).toMatchObject({ action: 'institution.details_edited', detail: { reason: '机构来函更新客服信息', before: { description: '', servicePhone: '', serviceHours: '' }, after: { description: '乙银行简介', servicePhone: '95588', serviceHours: '7×24 小时' } } });
    expect((await request(t.app).get(`/institutions/${b.id}`).expect(200)).text).toContain('95588');

    const taken = await op.patch(`/api/admin/v1/institutions/${b.id}`).send({ name: '甲银行股份有限公司', reason: '更正全称' }).expect(409);
    expect(taken.body.error.fields).toEqual({ name: '已有机构使用这个全称' });
    await op.patch(`/api/admin/v1/institutions/${b.id}`).send({ shortName: '乙' }).expect(400);
    const renamed = await op.patch(`/api/admin/v1/institutions/${b.id}`).send({ shortName: '乙银行信用卡', reason: '品牌更名' }).expect(200);
    expect(renamed.body).toMatchObject({ shortName: '乙银行信用卡', servicePhone: '95588' });
    // the catalogue shows the new name at once
    const listed = (await request(t.app).get('/api/v1/products').expect(200)).body.items.find((p: { id: string }) => p.id === b.productId);
    expect(listed.institution.name).toBe('乙银行信用卡');
    await op.patch(`/api/admin/v1/institutions/${a.id}`).send({ shortName: '甲银行', reason: '无变化' }).expect(409);
  });

  it('operators edit a user’s name and mobile number with a reason: sealed, shown masked, audited masked; a number in use is 409', async () => {
    const { services } = t.container;
    const phone = newPhone();
    const other = newPhone();
    const user = await services.accounts.registerConsumer({ phone, password: 'Lantern-58-sky', displayName: '张三丰' });
    await services.accounts.registerConsumer({ phone: other, password: 'Lantern-58-sky' });
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);

    const noReason = await op.patch(`/api/admin/v1/users/${user.id}`).send({ displayName: '张三' }).expect(400);
    expect(noReason.body.error.fields).toHaveProperty('reason');
    const inUse = await op.patch(`/api/admin/v1/users/${user.id}`).send({ phone: other, reason: '用户来电更换号码' }).expect(409);
    expect(inUse.body.error).toMatchObject({ code: 'account_exists', fields: { phone: '这个手机号已被其他账号使用' } });

    const page = `/admin/users/${user.id}`;
    const formNoReason = await postForm(op, page, `${page}/details`, { displayName: '张三', phone: '', reason: '' });
    expect(formNoReason.status).toBe(400);
    expect(formNoReason.text).toContain('请填写 2–200 字的修改原因');
    const fresh = newPhone();
    await postForm(op, page, `${page}/details`, { displayName: '张三', phone: fresh, reason: '用户来电更换号码' }).then((r) => expect(r.status).toBe(303));

    const shown = (await op.get(page).expect(200)).text;
    expect(shown).toContain(`${fresh.slice(0, 3)}****${fresh.slice(-4)}`);
    expect(shown).not.toContain(fresh);
    const [row] = (await services.audit.forObject('account', user.id)).filter((r) => r.action === 'account.details_edited');
    expect(row!.detail).toEqual({
      reason: '用户来电更换号码',
      before: { displayName: '张**', phone: `${phone.slice(0, 3)}****${phone.slice(-4)}` },
      after: { displayName: '张*', phone: `${fresh.slice(0, 3)}****${fresh.slice(-4)}` },
    });
    expect(JSON.stringify(row)).not.toContain(fresh);
    // the new number is the login now; the old one no longer is
    await request(t.app).post('/api/v1/auth/login').send({ phone: fresh, password: 'Lantern-58-sky' }).expect(200);
    await request(t.app).post('/api/v1/auth/login').send({ phone, password: 'Lantern-58-sky' }).expect(401);
    expect(await services.accounts.phoneOf(user.id)).toBe(fresh);
  });
});
