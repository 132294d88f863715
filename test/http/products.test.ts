import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { staffAgent } from '../support/http';

type Agent = ReturnType<typeof request.agent>;

/** The portal form as a browser sends it (checkbox groups repeat their name). */
function formBody(values: Record<string, string | string[]>): string {
  const usp = new URLSearchParams();
  for (const [k, v] of Object.entries(values)) for (const one of Array.isArray(v) ? v : [v]) usp.append(k, one);
  return usp.toString();
}

const goodForm = (name: string, extra: Record<string, string | string[]> = {}) => ({
  name,
  category: '消费贷',
  summary: '线上申请，随借随还',
  minAmount: '1000',
  maxAmount: '200000',
  termOptions: '6,12,24',
  rateMin: '7.2',
  rateMax: '18',
  upfrontFeeRate: '1',
  upfrontFeeMode: 'deducted',
  monthlyFeeRate: '0',
  guaranteeFeeRate: '0',
  insuranceFeeRate: '0',
  earlyRepaymentFeeRate: '0',
  earlyRepaymentFreeAfterMonths: '0',
  repaymentMethods: ['equal_installment', 'equal_principal'],
  minAge: '22',
  maxAge: '55',
  regions: '',
  minMonthlyIncome: '3000',
  minCreditScore: '',
  employmentTypes: ['上班族'],
  studentsExcluded: '1',
  requiredDocuments: '身份证,收入证明',
  decisionMinutes: '30',
  disbursementHours: '24',
  tags: '线上申请',
  ...extra,
});

const apiBody = (name: string, extra: Record<string, unknown> = {}) => ({
  name,
  category: '信用贷',
  summary: '测试产品',
  minAmount: 1000,
  maxAmount: 100000,
  termOptions: [12],
  rateMin: 0.1,
  rateMax: 0.15,
  repaymentMethods: ['equal_installment'],
  eligibility: { minAge: 22, maxAge: 55, studentsExcluded: true },
  requiredDocuments: ['身份证'],
  decisionMinutes: 60,
  disbursementHours: 24,
  ...extra,
});

async function page(agent: Agent, url: string) {
  const res = await agent.get(url);
  return { res, csrf: /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1] ?? '' };
}

async function postForm(agent: Agent, url: string, values: Record<string, string | string[]>, csrfPage: string) {
  const { csrf } = await page(agent, csrfPage);
  return agent.post(url).type('form').send(formBody({ ...values, _csrf: csrf }));
}

describe('product listings: drafts, review, versions', () => {
  let t: TestApp;
  let a: Agent;
  let b: Agent;
  let op: Agent;

  beforeAll(async () => {
    t = await startTestApp();
    a = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    b = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    op = await staffAgent(t.app, 'admin', t.fixtures.operator);
  }, 60_000);
  afterAll(() => t?.close());

  const queueVersionFor = async (productId: string) => {
    const list = await t.container.services.products.versions(productId);
    return list.find((v) => v.status === 'submitted')!;
  };

  it('draft → preview with APR → submit → returned with comments → edited → resubmitted → approved → found by search', async () => {
    // bad input: 400, the field errors, and everything typed kept
    const bad = await postForm(a, '/partner/products', goodForm('甲装修分期', { rateMax: 'abc', minAmount: '-5', repaymentMethods: [] }), '/partner/products/new');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('最高年利率须为 0–100 之间的百分数');
    expect(bad.text).toContain('请选择还款方式'.slice(0, 2));
    expect(bad.text).toContain('value="甲装修分期"');
    expect(bad.text).toContain('value="abc"');

    const created = await postForm(a, '/partner/products', goodForm('甲装修分期'), '/partner/products/new');
    expect(created.status).toBe(303);
    const productId = /\/partner\/products\/(prd_\w+)/.exec(String(created.headers.location))![1]!;

    const list = await a.get('/partner/products').expect(200);
    expect(list.text).toContain('甲装修分期');
    expect(list.text).toContain('草稿');

    // the preview is the consumer page: APR (big), the fees, the sample schedule
    const preview = await a.get(`/partner/products/${productId}/preview`).expect(200);
    expect(preview.text).toMatch(/data-testid="apr">\d+\.\d{2}%/);
    expect(preview.text).toContain('data-testid="schedule"');
    expect(preview.text).toContain('一次性服务费 1.00%');
    expect(preview.text).toContain('data-testid="preview-badge"');
    expect(preview.text).not.toContain('data-testid="apply"');

    // not public before approval
    await request(t.app).get(`/api/v1/products/${productId}`).expect(404);

    const submitted = await postForm(a, `/partner/products/${productId}/submit`, {}, `/partner/products/${productId}`);
    expect(submitted.status).toBe(303);
    expect((await t.container.services.catalogue.get(productId)).status).toBe('in_review');

    const queue = await op.get('/admin/products/review').expect(200);
    expect(queue.text).toContain('甲装修分期');
    const v1 = await queueVersionFor(productId);
    const review = await op.get(`/admin/products/review/${v1.id}`).expect(200);
    expect(review.text).toContain('data-check="apr_cap" data-passed="yes"');
    expect(review.text).toContain('data-check="students_excluded" data-passed="yes"');
    expect(review.text).toContain('新产品，无已上架版本');

    // returning needs a comment
    const noComment = await postForm(op, `/admin/products/review/${v1.id}/return`, { comment: ' ' }, `/admin/products/review/${v1.id}`);
    expect(noComment.status).toBe(400);
    expect(noComment.text).toContain('请写明需要修改的地方');
    await postForm(op, `/admin/products/review/${v1.id}/return`, { comment: '请补充提前还款规则' }, `/admin/products/review/${v1.id}`).then((r) => expect(r.status).toBe(303));

    const detail = await a.get(`/partner/products/${productId}`).expect(200);
    expect(detail.text).toContain('请补充提前还款规则');
    expect(detail.text).toContain('已退回');
    expect((await t.container.services.catalogue.get(productId)).status).toBe('draft');

    // edit → a new version → resubmit
    const edited = await postForm(a, `/partner/products/${productId}`, goodForm('甲装修分期', { earlyRepaymentFeeRate: '1', earlyRepaymentFreeAfterMonths: '3' }), `/partner/products/${productId}/edit`);
    expect(edited.status).toBe(303);
    await postForm(a, `/partner/products/${productId}/submit`, {}, `/partner/products/${productId}`);
    const v2 = await queueVersionFor(productId);
    expect(v2.version).toBe(2);
    const approved = await postForm(op, `/admin/products/review/${v2.id}/approve`, { comment: '', confirm: 'yes' }, `/admin/products/review/${v2.id}`);
    expect(approved.status).toBe(303);

    expect((await t.container.services.catalogue.get(productId)).status).toBe('listed');
    const found = await request(t.app).get('/api/v1/products').query({ q: '甲装修分期' }).expect(200);
    expect(found.body.items.map((i: { id: string }) => i.id)).toContain(productId);
    const audit = await t.container.services.audit.forObject('product', productId);
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(['product.draft_created', 'product.submitted', 'product.returned', 'product.approved']));
  });

  it('an edit of a listed product keeps the approved version public until the new one is approved', async () => {
    const productId = t.fixtures.institutionA.productId; // listed before versions existed
    const before = (await request(t.app).get(`/api/v1/products/${productId}`).expect(200)).body;
    const v = await a.put(`/api/partner/v1/products/${productId}`).send(apiBody('甲信用贷Plus', { rateMax: 0.2 })).expect(200);
    expect(v.body.status).toBe('draft');
    await a.post(`/api/partner/v1/products/${productId}/submit`).send({}).expect(200);
    // in review: consumers still see the approved parameters
    const during = (await request(t.app).get(`/api/v1/products/${productId}`).expect(200)).body;
    expect(during.name).toBe(before.name);
    expect(during.rate.max).toBe(before.rate.max);
    // while in review the institution cannot edit
    await a.put(`/api/partner/v1/products/${productId}`).send(apiBody('再改')).expect(409);

    const version = await queueVersionFor(productId);
    const review = await op.get(`/admin/products/review/${version.id}`).expect(200);
    expect(review.text).toMatch(/data-field="name" class="changed"/);
    expect(review.text).toMatch(/data-field="rateMax" class="changed" data-changed="yes"><td>最高名义年利率<\/td><td>18\.00%<\/td><td>20\.00%<\/td>/);
    expect(review.text).not.toMatch(/data-field="category" class="changed"/);
    await postForm(op, `/admin/products/review/${version.id}/approve`, { confirm: 'yes' }, `/admin/products/review/${version.id}`);
    const after = (await request(t.app).get(`/api/v1/products/${productId}`).expect(200)).body;
    expect(after.name).toBe('甲信用贷Plus');
    expect(after.rate.max).toBe(0.2);
    const versions = (await a.get(`/api/partner/v1/products/${productId}`).expect(200)).body.versions as { version: number; status: string }[];
    expect(versions.map((x) => `${x.version}:${x.status}`)).toEqual(['2:approved', '1:superseded']);
  });

  it('the API is strict: an institution can never set a status, and bad values name their field', async () => {
    const listed = await a.post('/api/partner/v1/products').send({ ...apiBody('甲自上架'), status: 'listed' }).expect(400);
    expect(listed.body.error.fields.status).toBe('不允许的字段');
    const bad = await a.post('/api/partner/v1/products').send(apiBody('甲坏数据', { rateMax: 12, termOptions: [], category: '不存在' })).expect(400);
    expect(Object.keys(bad.body.error.fields)).toEqual(expect.arrayContaining(['rateMax', 'termOptions']));
    const unknownCategory = await a.post('/api/partner/v1/products').send(apiBody('甲坏类别', { category: '不存在' })).expect(400);
    expect(unknownCategory.body.error.fields.category).toBeTruthy();
    const swallowed = await a.post('/api/partner/v1/products').send(apiBody('甲高费', { upfrontFeeRate: 1 })).expect(400);
    expect(swallowed.body.error.fields.upfrontFeeRate).toBeTruthy();
    // what the database cannot store (jsonb refuses an unpaired surrogate, text a NUL byte) is a 400 naming the field, not a 500
    const surrogate = await a.post('/api/partner/v1/products').send(apiBody('甲贷', { requiredDocuments: ['身份证\ud800'] })).expect(400);
    expect(surrogate.body.error.fields).toEqual({ 'requiredDocuments.0': '含有无效的 Unicode 字符（不成对的代理项）' });
    const nul = await a.post('/api/partner/v1/products').send(apiBody('甲\u0000贷')).expect(400);
    expect(nul.body.error.fields).toEqual({ name: '不能包含空字符（\\0）' });
  });

  it('a product that can exceed 36% cannot be approved', async () => {
    const created = await a.post('/api/partner/v1/products').send(apiBody('甲高息贷', { rateMin: 0.3, rateMax: 0.4 })).expect(201);
    expect(created.body.apr.max).toBeGreaterThan(0.36);
    await a.post(`/api/partner/v1/products/${created.body.id}/submit`).send({}).expect(200);
    const version = await queueVersionFor(created.body.id);
    const review = await op.get(`/admin/products/review/${version.id}`).expect(200);
    expect(review.text).toContain('data-check="apr_cap" data-passed="no"');
    const refused = await postForm(op, `/admin/products/review/${version.id}/approve`, { confirm: 'yes' }, `/admin/products/review/${version.id}`);
    expect(refused.status).toBe(400);
    expect(refused.text).toContain('自动检查未通过');
    expect((await t.container.services.catalogue.get(created.body.id)).status).toBe('in_review');
    await request(t.app).get(`/api/v1/products/${created.body.id}`).expect(404);
  });

  it('a 小贷 product open to students fails the checklist', async () => {
    const { institutions, accounts } = t.container.services;
    const micro = await institutions.create({ name: '丁小额贷款有限公司', shortName: '丁小贷', kind: 'microloan' });
    await accounts.createStaff({ kind: 'institution', username: 'd.staff', password: PASSWORD, displayName: '丁员工', role: 'product_manager', institutionId: micro.id });
    const d = await staffAgent(t.app, 'partner', 'd.staff');
    const created = await d.post('/api/partner/v1/products').send(apiBody('丁学生贷', { eligibility: { minAge: 18, maxAge: 40, studentsExcluded: false } })).expect(201);
    await d.post(`/api/partner/v1/products/${created.body.id}/submit`).send({}).expect(200);
    const version = await queueVersionFor(created.body.id);
    const review = await op.get(`/admin/products/review/${version.id}`).expect(200);
    expect(review.text).toContain('data-check="students_excluded" data-passed="no"');
    expect(review.text).toContain('小额贷款公司产品必须排除在校学生');
    const refused = await postForm(op, `/admin/products/review/${version.id}/approve`, { confirm: 'yes' }, `/admin/products/review/${version.id}`);
    expect(refused.status).toBe(400);
  });

  it("institution B can neither see nor edit A's products (404)", async () => {
    const id = t.fixtures.institutionA.productId;
    await b.get(`/partner/products/${id}`).expect(404);
    await b.get(`/partner/products/${id}/edit`).expect(404);
    await b.get(`/partner/products/${id}/preview`).expect(404);
    expect((await postForm(b, `/partner/products/${id}`, goodForm('偷改'), '/partner/products/new')).status).toBe(404);
    expect((await postForm(b, `/partner/products/${id}/pause`, { reason: 'x' }, '/partner/products/new')).status).toBe(404);
    await b.get(`/api/partner/v1/products/${id}`).expect(404);
    await b.put(`/api/partner/v1/products/${id}`).send(apiBody('偷改')).expect(404);
    await b.post(`/api/partner/v1/products/${id}/submit`).send({}).expect(404);
    await b.post(`/api/partner/v1/products/${id}/pause`).send({ reason: 'x' }).expect(404);
    const listB = (await b.get('/api/partner/v1/products').expect(200)).body.items as { id: string }[];
    expect(listB.map((p) => p.id)).not.toContain(id);
    expect((await b.get('/partner/products').expect(200)).text).not.toContain('甲');
  });

  it('pause with a reason (institution and operator); an operator pause is lifted only by operators', async () => {
    const id = t.fixtures.institutionB.productId;
    await b.post(`/api/partner/v1/products/${id}/pause`).send({}).expect(400);
    const paused = await b.post(`/api/partner/v1/products/${id}/pause`).send({ reason: '额度用完，下月恢复' }).expect(200);
    expect(paused.body.status).toBe('paused');
    await request(t.app).get(`/api/v1/products/${id}`).expect(404);
    expect((await b.get(`/partner/products/${id}`).expect(200)).text).toContain('额度用完，下月恢复');
    await b.post(`/api/partner/v1/products/${id}/resume`).send({}).expect(200);
    await request(t.app).get(`/api/v1/products/${id}`).expect(200);

    const noReason = await postForm(op, `/admin/products/${id}/pause`, { reason: '' }, '/admin/products');
    expect(noReason.status).toBe(303);
    expect((await t.container.services.catalogue.get(id)).status).toBe('listed');
    await postForm(op, `/admin/products/${id}/pause`, { reason: '宣传用语待核实' }, '/admin/products');
    expect((await t.container.services.catalogue.get(id)).status).toBe('paused');
    const seen = await b.get(`/partner/products/${id}`).expect(200);
    expect(seen.text).toContain('宣传用语待核实');
    expect(seen.text).toContain('data-testid="pause-reason"');
    await b.post(`/api/partner/v1/products/${id}/resume`).send({}).expect(403);
    expect((await t.container.services.catalogue.get(id)).status).toBe('paused');
    await postForm(op, `/admin/products/${id}/resume`, {}, '/admin/products');
    expect((await t.container.services.catalogue.get(id)).status).toBe('listed');
    const actions = (await t.container.services.audit.forObject('product', id)).map((r) => r.action);
    expect(actions.filter((x) => x === 'product.paused')).toHaveLength(2);
  });

  it('the operator product list filters by status and institution', async () => {
    const all = await op.get('/admin/products').expect(200);
    expect(all.text).toContain('甲装修分期');
    const drafts = await op.get('/admin/products').query({ status: 'in_review' }).expect(200);
    expect(drafts.text).toContain('甲高息贷');
    expect(drafts.text).not.toContain('甲装修分期');
    const onlyB = await op.get('/admin/products').query({ institutionId: t.fixtures.institutionB.id }).expect(200);
    expect(onlyB.text).not.toContain('甲装修分期');
  });
});

describe('promotions and ranking', () => {
  let t: TestApp;
  let a: Agent;
  let op: Agent;
  const day = (offset: number) => new Date(Date.now() + 8 * 3600_000 + offset * 86_400_000).toISOString().slice(0, 10);

  beforeAll(async () => {
    t = await startTestApp();
    a = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    op = await staffAgent(t.app, 'admin', t.fixtures.operator);
  }, 60_000);
  afterAll(() => t?.close());

  const labelled = async () => {
    const html = (await request(t.app).get('/products').expect(200)).text;
    return html.includes('data-testid="promoted"');
  };

  it('the 推广 label appears only inside the approved period, as a boost that hides nothing', async () => {
    const productId = t.fixtures.institutionA.productId;
    const requestPromotion = (startDate: string, endDate: string) =>
      postForm(a, '/partner/promotions', { productId, kind: 'featured', startDate, endDate, note: '' }, '/partner/promotions');

    const badPeriod = await requestPromotion(day(3), day(1));
    expect(badPeriod.status).toBe(400);
    expect(badPeriod.text).toContain('结束时间须晚于开始时间');

    // next week: approved, but not running yet
    expect((await requestPromotion(day(7), day(9))).status).toBe(303);
    const future = (await t.container.services.promotions.listAll('requested'))[0]!;
    await postForm(op, `/admin/promotions/${future.id}/approve`, {}, '/admin/promotions');
    expect(await labelled()).toBe(false);

    // rejecting needs a reason
    expect((await requestPromotion(day(0), day(2))).status).toBe(303);
    const now = (await t.container.services.promotions.listAll('requested'))[0]!;
    await postForm(op, `/admin/promotions/${now.id}/reject`, { comment: '' }, '/admin/promotions');
    expect((await t.container.services.promotions.listAll('requested')).map((p) => p.id)).toContain(now.id);
    await postForm(op, `/admin/promotions/${now.id}/approve`, {}, '/admin/promotions');
    expect(await labelled()).toBe(true);

    const api = await request(t.app).get('/api/v1/products').expect(200);
    const items = api.body.items as { id: string; promoted: boolean }[];
    expect(items.find((i) => i.id === productId)!.promoted).toBe(true);
    expect(items.find((i) => i.id === t.fixtures.institutionB.productId)!.promoted).toBe(false);
    expect(items).toHaveLength(2); // nothing hidden
    // sorted by APR there is no boost, so no label
    expect((await request(t.app).get('/products').query({ sort: 'apr' })).text).not.toContain('data-testid="promoted"');
    const seen = await a.get('/partner/promotions').expect(200);
    expect(seen.text).toContain('已批准');
    expect((await t.container.services.audit.recentActions('promotion.approved')).length).toBe(2);
  });

  it('a recommendation slot is labelled 推广 in recommendations while it runs', async () => {
    const productId = t.fixtures.institutionB.productId;
    const recommended = async () => (await request(t.app).get('/recommendations').expect(200)).text;
    expect(await recommended()).not.toContain('data-testid="promoted"');
    const b = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    const asked = await postForm(b, '/partner/promotions', { productId, kind: 'recommendation', startDate: day(0), endDate: day(1), note: '双十一' }, '/partner/promotions');
    expect(asked.status).toBe(303);
    const pending = (await t.container.services.promotions.listAll('requested')).find((p) => p.productId === productId)!;
    await postForm(op, `/admin/promotions/${pending.id}/approve`, {}, '/admin/promotions');
    const html = await recommended();
    const card = html.slice(html.indexOf(`data-product-id="${productId}"`));
    expect(card.slice(0, 600)).toContain('data-testid="promoted"');
    // A's product is still recommended beside it: a boost, not a filter
    expect(html).toContain(`data-product-id="${t.fixtures.institutionA.productId}"`);
  });

  it('ranking weights are versioned and audited, and drive 综合排序', async () => {
    const bad = await postForm(op, '/admin/ranking', { relevance: '2', apr: 'x', approval: '0', complaints: '0', promotion: '0', pricing: '0' }, '/admin/ranking');
    expect(bad.status).toBe(400);
    expect(bad.text).toContain('权重不能大于 1');
    expect(bad.text).toContain('value="x"');
    // only promotion counts: A's promoted product first
    await postForm(op, '/admin/ranking', { relevance: '0', apr: '0', approval: '0', complaints: '0', promotion: '1', pricing: '0', note: '只看推广' }, '/admin/ranking');
    const first = (await request(t.app).get('/api/v1/products').expect(200)).body.items[0].id;
    expect(first).toBe(t.fixtures.institutionA.productId);
    const page = await op.get('/admin/ranking').expect(200);
    expect(page.text).toContain('第 1 版');
    expect(page.text).toContain('只看推广');
    const audit = await t.container.services.audit.recentActions('ranking.changed');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.detail).toMatchObject({ after: { promotion: 1 } });
  });
});
