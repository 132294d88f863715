import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';

describe('product reviews', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('are written only after applying, shown only once approved, with a masked name and the average', async () => {
    const productId = t.fixtures.institutionA.productId;
    const alice = await consumerAgent(t.app, { realName: '张三丰' });

    // not applied yet: no form, and a direct POST is refused
    const before = await alice.agent.get(`/products/${productId}`).expect(200);
    expect(before.text).not.toContain('data-testid="review-form"');
    const refused = await alice.agent.post(`/products/${productId}/review`).type('form').send({ _csrf: csrfFrom(before.text), rating: '4', body: '利率透明，放款很快' }).expect(403);
    expect(refused.text).toContain('申请过这款产品后才能评价');

    await apply(alice.agent, productId);
    const page = await alice.agent.get(`/products/${productId}`).expect(200);
    expect(page.text).toContain('data-testid="review-form"');
    const csrf = csrfFrom(page.text);
    const bad = await alice.agent.post(`/products/${productId}/review`).type('form').send({ _csrf: csrf, rating: '9', body: '利率透明，放款很快' }).expect(400);
    expect(bad.text).toContain('评分不能大于 5');
    await alice.agent.post(`/products/${productId}/review`).type('form').send({ _csrf: csrf, rating: '4', body: '利率透明，放款很快' }).expect(303);

    // pending: not on the product page, visible to its author with its state
    const pendingPage = await alice.agent.get(`/products/${productId}`).expect(200);
    expect(pendingPage.text).not.toContain('<div class="pre">利率透明，放款很快</div>');
    expect(pendingPage.text).toContain('还没有评价');
    const mine = await alice.agent.get('/account/reviews').expect(200);
    expect(mine.text).toContain('利率透明，放款很快');
    expect(mine.text).toContain('审核中');

    // the operator approves
    const op = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const queue = await op.get('/admin/reviews').expect(200);
    expect(queue.text).toContain('利率透明，放款很快');
    const reviewId = /data-review-id="(rev_[^"]+)"/.exec(queue.text)![1]!;
    const opCsrf = csrfFrom(queue.text);
    const noReason = await op.post(`/admin/reviews/${reviewId}/moderate`).type('form').send({ _csrf: opCsrf, decision: 'rejected' }).expect(400);
    expect(noReason.text).toContain('拒绝时必须说明原因');
    await op.post(`/admin/reviews/${reviewId}/moderate`).type('form').send({ _csrf: opCsrf, decision: 'approved' }).expect(303);

    const shown = await t.container.services.reviews.forProduct(productId);
    expect(shown).toMatchObject({ count: 1, average: '4.0' });
    const anonymous = (await request(t.app).get(`/products/${productId}`).expect(200)).text;
    expect(anonymous).toContain('利率透明，放款很快');
    expect(anonymous).toContain('张**');
    expect(anonymous).not.toContain('张三丰');
    expect(anonymous).toContain('data-testid="rating-average">4.0<');

    // a second reviewer: 5 stars → average 4.5; a rejected review stays hidden and its author sees why
    const bob = await consumerAgent(t.app, { realName: '李四' });
    await apply(bob.agent, productId);
    const bobPage = await bob.agent.get(`/products/${productId}`).expect(200);
    await bob.agent.post(`/products/${productId}/review`).type('form').send({ _csrf: csrfFrom(bobPage.text), rating: '5', body: '客服很耐心，推荐' }).expect(303);
    const carol = await consumerAgent(t.app, { realName: '赵六' });
    await apply(carol.agent, productId);
    const carolPage = await carol.agent.get(`/products/${productId}`).expect(200);
    await carol.agent.post(`/products/${productId}/review`).type('form').send({ _csrf: csrfFrom(carolPage.text), rating: '1', body: '加我微信 abc123 代办贷款' }).expect(303);
    const pending = await t.container.services.reviews.queue('pending');
    const byBody = (text: string) => pending.find((r) => r.body === text)!.id;
    await op.post(`/admin/reviews/${byBody('客服很耐心，推荐')}/moderate`).type('form').send({ _csrf: opCsrf, decision: 'approved' }).expect(303);
    await op.post(`/admin/reviews/${byBody('加我微信 abc123 代办贷款')}/moderate`).type('form').send({ _csrf: opCsrf, decision: 'rejected', reason: '含广告' }).expect(303);
    expect(await t.container.services.reviews.forProduct(productId)).toMatchObject({ count: 2, average: '4.5' });
    const carolsOwn = await carol.agent.get('/account/reviews').expect(200);
    expect(carolsOwn.text).toContain('未通过');
    expect(carolsOwn.text).toContain('含广告');

    // one review per consumer per product: editing replaces it and sends it back to moderation
    await alice.agent.post(`/products/${productId}/review`).type('form').send({ _csrf: csrf, rating: '2', body: '后来发现有隐藏费用' }).expect(303);
    const after = await t.container.services.reviews.forProduct(productId);
    expect(after).toMatchObject({ count: 1, average: '5.0' });
    expect((await t.container.services.reviews.listForConsumer(alice.id)).map((r) => [r.rating, r.status])).toEqual([[2, 'pending']]);

    const audit = await t.container.services.audit.forObject('review', reviewId);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['review.saved', 'review.approved']));
  });
});
