import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { addInstitutionC } from '../support/fixtures';
import { apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';

// a real 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');

describe('after a rejection', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof addInstitutionC>>;
  beforeAll(async () => {
    t = await startTestApp();
    c = await addInstitutionC(t);
  });
  afterAll(() => t?.close());

  /** A borrower's application to 甲银行信用贷, rejected by 甲银行 for the given reason. */
  async function rejectedApplication(reason: string) {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    await partner.post(`/api/partner/v1/leads/${app.id}/status`).send({ status: 'reviewing' }).expect(200);
    await partner.post(`/api/partner/v1/leads/${app.id}/status`).send({ status: 'rejected', reason }).expect(200);
    return { consumer, app };
  }

  it('shows the reason in words and eligible products instead, never the same product; the forms are gone', async () => {
    const { consumer, app } = await rejectedApplication('debt_ratio');
    const page = await consumer.agent.get(`/applications/${app.id}`).expect(200);
    expect(page.text).toContain('data-testid="rejection"');
    expect(page.text).toContain('负债率过高');
    expect(page.text).toContain('每月要还的借款占收入的比例偏高');
    const suggested = [...page.text.matchAll(/<li data-product-id="([^"]+)"/g)].map((m) => m[1]);
    // 乙银行信用贷 and 丙随心贷 are open to this borrower; 丙稳享贷 (ages 56–60) is not; 甲银行信用贷 refused
    expect(suggested.sort()).toEqual([t.fixtures.institutionB.productId, c.productId].sort());
    expect(page.text).not.toContain('data-testid="upload-form"');
    expect(page.text).not.toContain('data-testid="send-message"');

    const json = (await consumer.agent.get(`/api/v1/applications/${app.id}`).expect(200)).body;
    expect(json.rejection).toMatchObject({ code: 'debt_ratio', label: '负债率过高' });
    expect(json.rejection.meaning).toContain('负担');
    expect(json.rejection.alternatives.map((a: { product: { id: string } }) => a.product.id).sort()).toEqual([t.fixtures.institutionB.productId, c.productId].sort());
    for (const a of json.rejection.alternatives) expect(a.odds.high).toBeGreaterThanOrEqual(a.odds.low);
  });

  it('refuses a document or a message sent to a rejected application with 409 and the reason, on both doors', async () => {
    const { consumer, app } = await rejectedApplication('income');
    const upload = await consumer.agent
      .post(`/api/v1/applications/${app.id}/documents`)
      .set('X-Requested-With', 'XMLHttpRequest')
      .field('kind', 'income_proof')
      .attach('file', PNG, 'pay.png')
      .expect(409);
    expect(upload.body.error).toMatchObject({ code: 'application_rejected' });
    expect(upload.body.error.message).toContain('收入不满足要求');
    const message = await consumer.agent.post(`/api/v1/applications/${app.id}/messages`).send({ body: '请再看看' }).expect(409);
    expect(message.body.error.code).toBe('application_rejected');

    const csrf = csrfFrom((await consumer.agent.get('/applications').expect(200)).text);
    const form = await consumer.agent.post(`/applications/${app.id}/messages`).type('form').send({ _csrf: csrf, body: '请再看看' }).expect(409);
    expect(form.text).toContain('申请已被拒绝（收入不满足要求）');
    const pageUpload = await consumer.agent
      .post(`/applications/${app.id}/documents`)
      .field('_csrf', csrf)
      .field('kind', 'income_proof')
      .attach('file', PNG, 'pay.png')
      .expect(409);
    expect(pageUpload.text).toContain('不能再上传材料');
    expect((await t.container.services.documents.listForApplication(app.id)).length).toBe(0);
    expect((await t.container.services.messages.thread(app.id)).length).toBe(0);
  });

  it('a live application keeps its forms and has no rejection block; another borrower gets 404', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionB.productId);
    const page = await consumer.agent.get(`/applications/${app.id}`).expect(200);
    expect(page.text).toContain('data-testid="upload-form"');
    expect(page.text).not.toContain('data-testid="rejection"');
    expect((await consumer.agent.get(`/api/v1/applications/${app.id}`).expect(200)).body.rejection).toBeNull();
    const stranger = await consumerAgent(t.app);
    await stranger.agent.get(`/api/v1/applications/${app.id}`).expect(404);
    await stranger.agent.post(`/api/v1/applications/${app.id}/messages`).send({ body: '你好' }).expect(404);
  });
});
