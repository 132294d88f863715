import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { databaseTargets } from '../support/database';
import { apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';

// a real 1×1 PNG
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==', 'base64');
const PDF = Buffer.from('%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

describe('documents', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  const upload = (agent: ReturnType<typeof request.agent>, appId: string, bytes: Buffer, name: string, kind = 'income_proof') =>
    agent.post(`/api/v1/applications/${appId}/documents`).set('X-Requested-With', 'XMLHttpRequest').field('kind', kind).attach('file', bytes, name);

  it('judges the type by the bytes, limits the size, and stores the bytes encrypted', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const png = await upload(consumer.agent, app.id, PNG, 'id.png', 'id_front').expect(201);
    expect(png.body).toMatchObject({ kind: 'id_front', mime: 'image/png', size: PNG.length });
    await upload(consumer.agent, app.id, PDF, 'payslip.pdf').expect(201);
    const fake = await upload(consumer.agent, app.id, Buffer.from('just text pretending'), 'photo.png').expect(400);
    expect(fake.body.error.fields.file).toContain('按文件内容判断');
    const big = await upload(consumer.agent, app.id, Buffer.concat([PNG, Buffer.alloc(6 * 1024 * 1024)]), 'big.png').expect(413);
    expect(big.body.error.fields.file).toContain('5 MB');
    expect((await upload(consumer.agent, app.id, PNG, 'x.png', 'selfie')).status).toBe(400);
    const noHeader = await consumer.agent.post(`/api/v1/applications/${app.id}/documents`).field('kind', 'other').attach('file', PNG, 'x.png');
    expect(noHeader.status).toBe(415); // a cookie-authenticated upload needs X-Requested-With (no cross-site form can send it)

    const dir = path.join(t.container.config.dataDir, 'documents');
    const stored = filesUnder(dir).map((f) => readFileSync(f));
    expect(stored.length).toBe(2);
    for (const bytes of stored) {
      expect(bytes.includes(PNG.subarray(0, 8))).toBe(false);
      expect(bytes.includes(Buffer.from('%PDF'))).toBe(false);
    }
    const back = await consumer.agent.get(`/api/v1/documents/${png.body.id}`).expect(200);
    expect(Buffer.compare(back.body as Buffer, PNG)).toBe(0);
  });

  it('only the consumer and the receiving institution open a document, and only while the consent stands', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const doc = (await upload(consumer.agent, app.id, PNG, 'id.png', 'id_back').expect(201)).body;
    const stranger = await consumerAgent(t.app);
    await stranger.agent.get(`/api/v1/documents/${doc.id}`).expect(404);
    await upload(stranger.agent, app.id, PNG, 'x.png').expect(404);
    const a = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const list = await a.get(`/api/partner/v1/leads/${app.id}/documents`).expect(200);
    expect(list.body.items.map((d: { id: string }) => d.id)).toEqual([doc.id]);
    const opened = await a.get(`/api/partner/v1/documents/${doc.id}`).buffer(true).expect(200);
    expect(opened.headers['content-type']).toContain('image/png');
    const b = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    await b.get(`/api/partner/v1/documents/${doc.id}`).expect(404);
    const releases = (await consumer.agent.get('/api/v1/data-releases').expect(200)).body.items[0].releases;
    expect(releases.some((r: { fields: string[] }) => r.fields.includes('documents'))).toBe(true);
    const consentId = (await consumer.agent.get('/api/v1/data-releases').expect(200)).body.items[0].consentId;
    await consumer.agent.post(`/api/v1/consents/${consentId}/withdraw`).send({}).expect(200);
    await a.get(`/api/partner/v1/documents/${doc.id}`).expect(403);
    const audit = await t.container.services.audit.forObject('document', doc.id);
    expect(audit.map((x) => x.action)).toEqual(expect.arrayContaining(['document.uploaded', 'document.opened']));
  });

  it('uploads from the page need the CSRF token, checked after the multipart body is read', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const page = await consumer.agent.get(`/applications/${app.id}`).expect(200);
    await consumer.agent.post(`/applications/${app.id}/documents`).field('kind', 'other').attach('file', PNG, 'a.png').expect(403);
    const ok = await consumer.agent
      .post(`/applications/${app.id}/documents`)
      .field('_csrf', csrfFrom(page.text))
      .field('kind', 'other')
      .attach('file', PNG, 'a.png')
      .expect(303);
    expect(ok.headers.location).toContain('#documents');
    const after = await consumer.agent.get(`/applications/${app.id}`).expect(200);
    expect(after.text).toContain('其他材料');
  });
});

/** Uploads at once are counted one after another (a lock per account): on PostgreSQL too when TEST_DATABASE_URL is set. */
describe.each(databaseTargets())('document quotas on $name', (target) => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({
      database: await target.open(),
      env: { UPLOAD_MAX_FILES_PER_APPLICATION: '3', UPLOAD_MAX_MB_PER_APPLICATION: '1', UPLOAD_MAX_FILES_PER_ACCOUNT: '5', UPLOAD_MAX_MB_PER_ACCOUNT: '1' },
    });
  });
  afterAll(() => t?.close());

  const upload = (agent: ReturnType<typeof request.agent>, appId: string, bytes = PNG) =>
    agent.post(`/api/v1/applications/${appId}/documents`).set('X-Requested-With', 'XMLHttpRequest').field('kind', 'other').attach('file', bytes, 'x.png');
  /** a PNG of about `kb` kilobytes (the type is judged by its first bytes) */
  const pngOf = (kb: number) => Buffer.concat([PNG, Buffer.alloc(kb * 1024)]);
  const storedFiles = () => {
    const dir = path.join(t.container.config.dataDir, 'documents');
    return existsSync(dir) ? filesUnder(dir).length : 0;
  };

  it('25 uploads at once to one application: the quota is kept, the rest are a 409 and store nothing', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const before = storedFiles();
    const answers = await Promise.all(Array.from({ length: 25 }, () => upload(consumer.agent, app.id)));
    expect(answers.filter((r) => r.status === 201)).toHaveLength(3);
    const refused = answers.filter((r) => r.status !== 201);
    expect(refused).toHaveLength(22);
    for (const r of refused) {
      expect(r.status).toBe(409);
      expect(r.body.error).toMatchObject({ code: 'document_quota_exceeded', fields: { file: '每笔申请最多上传 3 个文件，这笔申请已上传 3 个' } });
    }
    expect(storedFiles() - before).toBe(3);
    expect(await t.container.services.documents.listForApplication(app.id)).toHaveLength(3);

    // the page shows the form again with the reason
    const page = await consumer.agent.get(`/applications/${app.id}`).expect(200);
    const again = await consumer.agent.post(`/applications/${app.id}/documents`).field('_csrf', csrfFrom(page.text)).field('kind', 'other').attach('file', PNG, 'a.png').expect(409);
    expect(again.text).toContain('每笔申请最多上传 3 个文件');
    expect(storedFiles() - before).toBe(3);
  });

  it('limits the bytes of one application, then the files and the bytes of one account', async () => {
    const one = await consumerAgent(t.app);
    const oneApp = await apply(one.agent, t.fixtures.institutionA.productId);
    await upload(one.agent, oneApp.id, pngOf(600)).expect(201);
    const tooMuch = await upload(one.agent, oneApp.id, pngOf(600)).expect(409);
    expect(tooMuch.body.error.fields.file).toBe('每笔申请的材料合计不能超过 1 MB，这笔申请已用 0.6 MB');

    const two = await consumerAgent(t.app);
    const [a, b] = [await apply(two.agent, t.fixtures.institutionA.productId), await apply(two.agent, t.fixtures.institutionB.productId)];
    for (let i = 0; i < 3; i++) await upload(two.agent, a.id).expect(201);
    for (let i = 0; i < 2; i++) await upload(two.agent, b.id).expect(201);
    const sixth = await upload(two.agent, b.id).expect(409);
    expect(sixth.body.error.fields.file).toBe('每个账号最多上传 5 个文件，你已上传 5 个');

    const three = await consumerAgent(t.app);
    const [c, d] = [await apply(three.agent, t.fixtures.institutionA.productId), await apply(three.agent, t.fixtures.institutionB.productId)];
    await upload(three.agent, c.id, pngOf(600)).expect(201);
    const overAccount = await upload(three.agent, d.id, pngOf(600)).expect(409);
    expect(overAccount.body.error.fields.file).toBe('每个账号的材料合计不能超过 1 MB，你已用 0.6 MB');
  });
});
