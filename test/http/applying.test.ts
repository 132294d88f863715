import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { connect, type AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD, addInstitutionC } from '../support/fixtures';
import supertest from 'supertest';
import { sql } from 'drizzle-orm';
import { queryRows } from '../../server/db/client';
import { ALL_FIELDS, apply, applicationInput, consumerAgent, csrfFrom, newIdNumber, register, staffAgent } from '../support/http';

describe('applying: identity, consent per institution, one form to many', () => {
  let t: TestApp;
  let c: Awaited<ReturnType<typeof addInstitutionC>>;
  const logLines: string[] = [];
  beforeAll(async () => {
    const logger = pino(
      { level: 'debug' },
      new Writable({
        write(chunk, _enc, done) {
          logLines.push(String(chunk));
          done();
        },
      }),
    );
    t = await startTestApp({ logger });
    c = await addInstitutionC(t);
  });
  afterAll(() => t?.close());

  it('verifies a real name with a checksum-valid ID, once per person', async () => {
    const a = await consumerAgent(t.app, { verified: false });
    const bad = await a.agent.post('/api/v1/identity').send({ realName: '王小明', idNumber: '110105194912310021' }).expect(400);
    expect(bad.body.error.fields.idNumber).toContain('校验位');
    const mismatch = await a.agent.post('/api/v1/identity').send({ realName: '王小测试', idNumber: newIdNumber() }).expect(400);
    expect(mismatch.body.error.fields.realName).toContain('不一致');
    const id = newIdNumber();
    const ok = await a.agent.post('/api/v1/identity').send({ realName: '王小明', idNumber: id }).expect(201);
    expect(ok.body).toMatchObject({ verified: true, realNameMasked: '王**', idNumberMasked: `**************${id.slice(-4)}` });
    const profile = await a.agent.get('/api/v1/profile').expect(200);
    expect(profile.body.age).toBe(ok.body.age); // age comes from the ID
    const b = await consumerAgent(t.app, { verified: false });
    const taken = await b.agent.post('/api/v1/identity').send({ realName: '李四', idNumber: id }).expect(409);
    expect(taken.body.error.fields.idNumber).toBeTruthy();
    const own = await a.agent.post('/api/v1/identity/reveal').send({}).expect(200);
    expect(own.body.idNumber).toBe(id);
    const audit = await t.container.services.audit.forObject('account', a.id);
    expect(audit.map((r) => r.action)).toEqual(expect.arrayContaining(['identity.verified', 'identity.revealed']));
  });

  it('multi-apply to three products, consenting to two institutions: only those two receive anything', async () => {
    const consumer = await consumerAgent(t.app);
    const res = await consumer.agent
      .post('/api/v1/applications')
      .set('Idempotency-Key', randomUUID())
      .send({
        products: [
          { productId: t.fixtures.institutionA.productId, amount: 30000, termMonths: 12 },
          { productId: t.fixtures.institutionB.productId, amount: 30000, termMonths: 12 },
          { productId: c.productId, amount: 30000, termMonths: 12 },
        ],
        purpose: '消费',
        consents: [
          { institutionId: t.fixtures.institutionA.id, fields: ALL_FIELDS },
          { institutionId: c.id, fields: ALL_FIELDS },
        ],
      })
      .expect(201);
    expect(res.body.applications.map((a: { institution: { name: string } }) => a.institution.name).sort()).toEqual(['丙消费金融', '甲银行']);
    expect(res.body.refused).toEqual([expect.objectContaining({ productId: t.fixtures.institutionB.productId, code: 'no_consent' })]);
    const ids = res.body.applications.map((a: { id: string }) => a.id);
    // the answer is made from the rows as written, not read back: it is what a read finds afterwards
    for (const answered of res.body.applications) {
      const read = await consumer.agent.get(`/api/v1/applications/${answered.id}`).expect(200);
      expect({ ...answered, rejection: null }).toStrictEqual(read.body);
    }

    const b = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    const bInbox = await b.get('/api/partner/v1/leads').expect(200);
    expect(bInbox.body.items.filter((l: { id: string }) => ids.includes(l.id))).toEqual([]);
    const cStaff = await staffAgent(t.app, 'partner', c.staff);
    const cInbox = await cStaff.get('/api/partner/v1/leads').expect(200);
    expect(cInbox.body.items.map((l: { id: string }) => l.id)).toEqual(expect.arrayContaining(ids.filter((_: string, i: number) => res.body.applications[i].institution.name === '丙消费金融')));

    const releases = await consumer.agent.get('/api/v1/data-releases').expect(200);
    expect(releases.body.items.map((r: { institution: { name: string } }) => r.institution.name).sort()).toEqual(['丙消费金融', '甲银行']);
    expect(releases.body.items.every((r: { releases: { channel: string }[] }) => r.releases.some((x) => x.channel === 'submission'))).toBe(true);
  });

  it('a client that hangs up while its application runs gets the outcome back when it retries with the same key', async () => {
    const consumer = await consumerAgent(t.app);
    const server = t.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const login = await fetch(`${base}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ phone: consumer.phone, password: PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const submission = t.container.services.submission;
    const original = submission.apply;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    let entered!: () => void;
    const running = new Promise<void>((resolve) => (entered = resolve));
    submission.apply = async (...args) => {
      entered();
      await gate; // the submission is still running when the client goes
      return original.apply(submission, args);
    };
    const key = randomUUID();
    const body = JSON.stringify(applicationInput(t.fixtures.institutionA.productId, t.fixtures.institutionA.id));
    try {
      const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
      await once(socket, 'connect');
      socket.write(
        `POST /api/v1/applications HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\nContent-Type: application/json\r\nIdempotency-Key: ${key}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
      );
      await running;
      socket.resetAndDestroy(); // the client is gone (a reset: the server hears it at once)
      await new Promise((resolve) => setTimeout(resolve, 200));
    } finally {
      submission.apply = original;
      open();
    }
    const retryOnce = () => fetch(`${base}/api/v1/applications`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'idempotency-key': key }, body });
    // the request runs on after the hang-up; until it ends a repeat is told it is in flight
    let retry = await retryOnce();
    let answer = (await retry.json()) as { applications?: { id: string }[]; error?: { code: string } };
    for (let i = 0; i < 100 && answer.error?.code === 'idempotency_in_flight'; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      retry = await retryOnce();
      answer = (await retry.json()) as typeof answer;
    }
    server.close();
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    const mine = await consumer.agent.get('/api/v1/applications').expect(200);
    expect(mine.body.items.map((a: { id: string }) => a.id)).toEqual(answer.applications!.map((a) => a.id));
  });

  it('keeps the answer under its key in the submission’s own transaction: a rollback keeps nothing and frees the key', async () => {
    const consumer = await consumerAgent(t.app);
    const keyRow = (key: string) =>
      queryRows<{ status_code: number | null; response_body: unknown }>(t.container.database.db, sql`select status_code, response_body from idempotency_keys where key = ${key}`);
    const mine = async () => (await consumer.agent.get('/api/v1/applications').expect(200)).body.items as { id: string }[];

    // the work fails after the answer joined its write batch: nothing of either is left
    const submission = t.container.services.submission;
    const original = submission.apply;
    submission.apply = (account, input, origin, keep) =>
      original.call(submission, account, input, origin, async (batch, result) => {
        await keep!(batch, result);
        throw new Error('the submission fails after keeping its answer');
      });
    const key = randomUUID();
    const input = applicationInput(t.fixtures.institutionA.productId, t.fixtures.institutionA.id);
    try {
      await consumer.agent.post('/api/v1/applications').set('Idempotency-Key', key).send(input).expect(500);
    } finally {
      submission.apply = original;
    }
    expect(await keyRow(key)).toEqual([]);
    expect(await mine()).toEqual([]);

    // the same key again: it runs, and its row holds the very answer sent, written with the applications
    const ok = await consumer.agent.post('/api/v1/applications').set('Idempotency-Key', key).send(input).expect(201);
    expect(ok.headers['idempotent-replayed']).toBeUndefined();
    expect(await keyRow(key)).toEqual([{ status_code: 201, response_body: ok.body }]);
    const replay = await consumer.agent.post('/api/v1/applications').set('Idempotency-Key', key).send(input).expect(201);
    expect(replay.headers['idempotent-replayed']).toBe('true');
    expect(replay.body).toEqual(ok.body);
    expect((await mine()).map((a) => a.id)).toEqual(ok.body.applications.map((a: { id: string }) => a.id));
  });

  it('refuses an ineligible application with the reason, before any data leaves', async () => {
    const consumer = await consumerAgent(t.app); // born 1985–1995: well under 56
    const res = await consumer.agent
      .post('/api/v1/applications')
      .set('Idempotency-Key', randomUUID())
      .send(applicationInput(c.seniorProductId, c.id))
      .expect(409);
    expect(res.body.error.code).toBe('nothing_submitted');
    expect(res.body.error.fields[c.seniorProductId]).toContain('年龄需在 56–60 岁之间');
    expect((await consumer.agent.get('/api/v1/data-releases').expect(200)).body.items).toEqual([]);
  });

  it('refuses a product taken down a moment ago, even where this instance still lists it (another instance paused it)', async () => {
    const consumer = await consumerAgent(t.app);
    // another instance pauses the product: the database knows, this instance's read model not yet
    await t.container.database.db.execute(sql`update products set status = 'paused' where id = ${c.productId}`);
    try {
      const res = await consumer.agent
        .post('/api/v1/applications')
        .set('Idempotency-Key', randomUUID())
        .send(applicationInput(c.productId, c.id))
        .expect(409);
      expect(res.body.error.code).toBe('nothing_submitted');
      expect(res.body.error.fields[c.productId]).toContain('产品不存在或已下架');
      const [row] = await queryRows<{ n: number }>(t.container.database.db, sql`select count(*)::int as n from applications where product_id = ${c.productId} and consumer_id = ${consumer.id}`);
      expect(row!.n).toBe(0);
    } finally {
      await t.container.database.db.execute(sql`update products set status = 'listed' where id = ${c.productId}`);
    }
  });

  it('refuses a second application to the same product within 30 days, pointing to the first', async () => {
    const consumer = await consumerAgent(t.app);
    const first = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const again = await consumer.agent
      .post('/api/v1/applications')
      .set('Idempotency-Key', randomUUID())
      .send({
        products: [
          { productId: t.fixtures.institutionA.productId, amount: 20000, termMonths: 6 },
          { productId: t.fixtures.institutionB.productId, amount: 20000, termMonths: 6 },
        ],
        purpose: '消费',
        consents: [
          { institutionId: t.fixtures.institutionA.id, fields: ALL_FIELDS },
          { institutionId: t.fixtures.institutionB.id, fields: ALL_FIELDS },
        ],
      })
      .expect(201);
    expect(again.body.applications).toHaveLength(1);
    expect(again.body.refused).toEqual([expect.objectContaining({ code: 'duplicate', existingApplicationId: first.id })]);
  });

  it('a withdrawn consent stops every further release', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const a = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const full = await a.post(`/api/partner/v1/leads/${app.id}/reveal`).send({}).expect(200);
    expect(full.body.applicant.idNumber).toBe(consumer.idNumber);
    expect(full.body.applicant.phone).toBe(consumer.phone);

    const mine = await consumer.agent.get('/api/v1/data-releases').expect(200);
    const consent = mine.body.items[0];
    expect(consent.releases.map((r: { channel: string }) => r.channel).sort()).toEqual(['api', 'submission']);
    const other = await consumerAgent(t.app);
    await other.agent.post(`/api/v1/consents/${consent.consentId}/withdraw`).send({}).expect(404);
    await consumer.agent.post(`/api/v1/consents/${consent.consentId}/withdraw`).send({}).expect(200);

    const refused = await a.post(`/api/partner/v1/leads/${app.id}/reveal`).send({}).expect(403);
    expect(refused.body.error.code).toBe('consent_withdrawn');
    const lead = await a.get(`/api/partner/v1/leads/${app.id}`).expect(200);
    expect(lead.body.applicant).toBeNull();
    expect(lead.body.consent.withdrawnAt).toBeTruthy();
    const page = await a.get(`/partner/leads/${app.id}`).expect(200);
    expect(page.text).toContain('已撤回');
    expect(page.text).not.toContain(consumer.idNumber.slice(-4) + '</dd>');
    const after = await consumer.agent.get('/api/v1/data-releases').expect(200);
    expect(after.body.items[0].releases).toHaveLength(2); // nothing more left
  });

  it('the page flow: verify, smart-filled form, consent screen, result', async () => {
    const consumer = await consumerAgent(t.app, { verified: false });
    const ids = [t.fixtures.institutionA.productId, t.fixtures.institutionB.productId].join(',');
    const first = await consumer.agent.get(`/apply?products=${ids}`).expect(303);
    expect(first.headers.location).toContain('/verify?next=');
    const verifyPage = await consumer.agent.get('/verify').expect(200);
    await consumer.agent
      .post('/verify')
      .type('form')
      .send({ _csrf: csrfFrom(verifyPage.text), realName: '赵六', idNumber: newIdNumber(), next: `/apply?products=${ids}` })
      .expect(303);
    await consumer.agent.put('/api/v1/profile').send({ city: '杭州', employment: '上班族', monthlyIncome: 12000 }).expect(200);
    const formRes = await consumer.agent.get(`/apply?products=${ids}&amount=20000&termMonths=12`);
    expect(formRes.status, String(formRes.headers.location)).toBe(200);
    const form = formRes;
    expect(form.text).toContain('杭州'); // smart fill: known, not asked
    expect(form.text).not.toMatch(/name="city"/);
    expect(form.text).toMatch(/name="housing"/); // missing: asked
    expect(form.text).not.toContain('data-testid="amount-note"'); // ¥20,000 is within both ranges
    // an amount outside a product's range is kept as asked (never raised behind the borrower's back), with the range said
    const tooSmall = await consumer.agent.get(`/apply?products=${ids}&amount=500&termMonths=12`).expect(200);
    expect(tooSmall.text).toContain('name="amount" type="number" min="1" step="0.01" value="500"');
    expect(tooSmall.text.match(/data-testid="amount-note">本产品最低借 1,000元/g)).toHaveLength(2);
    const tooLarge = await consumer.agent.get(`/apply?products=${ids}&amount=250000&termMonths=12`).expect(200);
    expect(tooLarge.text).toContain('value="250000"');
    expect(tooLarge.text.match(/data-testid="amount-note">本产品最高借 20万/g)).toHaveLength(2);
    const review = await consumer.agent
      .post('/apply/review')
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(csrfFrom(form.text))}&productId=${t.fixtures.institutionA.productId}&amount=20000&termMonths=12&productId=${t.fixtures.institutionB.productId}&amount=20000&termMonths=12&purpose=${encodeURIComponent('消费')}&housing=${encodeURIComponent('租房')}&monthlyDebt=0&creditSelfAssessment=good`,
      )
      .expect(200);
    expect(review.text).toContain('同意向「甲银行」提供以下信息');
    expect(review.text).toContain('同意向「乙银行」提供以下信息');
    expect(review.text).toContain('身份证号');
    const key = /name="idempotencyKey" value="([^"]+)"/.exec(review.text)![1]!;
    const submit = await consumer.agent
      .post('/apply')
      .type('form')
      .send(
        `_csrf=${encodeURIComponent(csrfFrom(review.text))}&idempotencyKey=${key}&purpose=${encodeURIComponent('消费')}&productId=${t.fixtures.institutionA.productId}&amount=20000&termMonths=12&productId=${t.fixtures.institutionB.productId}&amount=20000&termMonths=12&consent=${t.fixtures.institutionA.id}`,
      )
      .expect(303);
    expect(submit.headers.location).toBe('/apply/done');
    const doneRes = await consumer.agent.get('/apply/done');
    expect(doneRes.status, String(doneRes.headers.location)).toBe(200);
    const done = doneRes;
    expect(done.text).toContain('已提交 1 份申请');
    expect(done.text).toContain('没有授权向乙银行提供信息');
    const data = await consumer.agent.get('/my-data').expect(200);
    expect(data.text).toContain('甲银行');
    expect(data.text).not.toContain('乙银行');
  });

  it('never writes an ID number, phone number or name into the logs', () => {
    // request ids are random UUIDs; their last group can look like a mobile number (…-b15574511430)
    const text = logLines.join('').replace(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi, '<uuid>');
    expect(text.length).toBeGreaterThan(1000); // requests were logged
    expect(text).not.toMatch(/\d{17}[\dX]/); // no ID number
    const phone = /(?<!\d)1[3-9]\d{9}(?!\d)/.exec(text);
    expect(phone, phone ? text.slice(Math.max(0, phone.index - 200), phone.index + 50) : '').toBeNull(); // no mobile number
    expect(text).not.toContain('王小明');
  });
});

describe('anti-fraud basics', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ env: { FRAUD_MAX_ACCOUNTS_PER_DEVICE: '2', FRAUD_MAX_APPLICATIONS_PER_DAY: '1' } });
  });
  afterAll(() => t?.close());

  it('flags many accounts on one device, bursts of applications and an ID bound to another phone; institutions and operators see them', async () => {
    const device = 'device-under-test-0001';
    for (let i = 0; i < 3; i++) {
      const agent = supertest.agent(t.app).set('X-Device-Id', device);
      expect((await register(agent, t.app)).status).toBe(201);
    }
    const flags = await t.container.services.risk.recentFlags();
    // registering and applying raise it by the same statement (RiskRepository.recordSignals): the third account flags all three, once each
    expect(flags.filter((f) => f.code === 'shared_device').map((f) => f.detail)).toEqual([1, 2, 3].map(() => ({ accounts: 3, threshold: 2 })));
    expect((await register(supertest.agent(t.app).set('X-Device-Id', device), t.app)).status).toBe(201);
    const afterFourth = (await t.container.services.risk.recentFlags()).filter((f) => f.code === 'shared_device');
    expect(afterFourth.map((f) => f.detail)).toEqual([{ accounts: 4, threshold: 2 }, ...[1, 2, 3].map(() => ({ accounts: 3, threshold: 2 }))]);

    const busy = await consumerAgent(t.app);
    await apply(busy.agent, t.fixtures.institutionA.productId);
    await apply(busy.agent, t.fixtures.institutionB.productId);
    expect((await t.container.services.risk.flagsFor(busy.id)).map((f) => f.code)).toContain('application_burst');
    // a further burst the same day goes with the submission's writes and adds no second flag
    const c = await addInstitutionC(t);
    await apply(busy.agent, c.productId);
    const bursts = (await t.container.services.risk.flagsFor(busy.id)).filter((f) => f.code === 'application_burst');
    expect(bursts.map((f) => f.detail)).toEqual([{ applications24h: 2, threshold: 1 }]);

    const other = await consumerAgent(t.app, { verified: false });
    await other.agent.post('/api/v1/identity').send({ realName: '王小明', idNumber: busy.idNumber }).expect(409);
    expect((await t.container.services.risk.flagsFor(other.id)).map((f) => f.code)).toEqual(['id_phone_mismatch']);

    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const lead = (await partner.get('/api/partner/v1/leads').expect(200)).body.items[0];
    const detail = await partner.get(`/api/partner/v1/leads/${lead.id}`).expect(200);
    expect(detail.body.riskFlags.map((f: { code: string }) => f.code)).toContain('application_burst');
    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    const page = await operator.get('/admin/risk').expect(200);
    expect(page.text).toContain('同一设备注册或申请的账号过多');
    expect(page.text).toContain('身份证号已绑定其他手机号');
    // applying from one device: the third account on it flags all three, once each; a fourth flags only itself
    const sharers = [];
    for (let i = 0; i < 4; i++) {
      const sharer = await consumerAgent(t.app);
      sharer.agent.set('X-Device-Id', 'shared-apply-device');
      await apply(sharer.agent, t.fixtures.institutionA.productId);
      sharers.push(sharer);
    }
    const sharedFlags = await Promise.all(sharers.map(async (s) => (await t.container.services.risk.flagsFor(s.id)).filter((f) => f.code === 'shared_device').map((f) => f.detail)));
    expect(sharedFlags).toEqual([[{ accounts: 3, threshold: 2 }], [{ accounts: 3, threshold: 2 }], [{ accounts: 3, threshold: 2 }], [{ accounts: 4, threshold: 2 }]]);

    // raw device ids and addresses are never stored
    const rows = await queryRows(t.container.database.db, sql`select * from risk_signals`);
    expect(JSON.stringify(rows)).not.toContain(device);
    expect(JSON.stringify(rows)).not.toContain('127.0.0.1');
  });
});
