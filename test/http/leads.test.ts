import request from 'supertest';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { agendaTiles, apply, consumerAgent, csrfFrom, staffAgent } from '../support/http';

describe('institutions working leads', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it("the portal's 工作台 counts what waits for each role: new and overdue leads, approvals to confirm, complaints, overdue loans, unpaid statements, returned products", async () => {
    const inst = t.fixtures.institutionB;
    const { accounts } = t.container.services;
    const tiles = (agent: Awaited<ReturnType<typeof staffAgent>>) => agendaTiles(agent, '/partner');
    const admin = await staffAgent(t.app, 'partner', inst.staff);
    const before = await tiles(admin);
    expect(Object.keys(before).sort()).toEqual(['approvalReviews', 'complaints', 'leads', 'loans', 'products', 'statements', 'unbilled']);
    expect(before.products!.figure).toBe(String((await t.container.services.catalogue.listForInstitution(inst.id)).filter((p) => p.status === 'listed').length));
    expect(before.statements!.figure).toMatch(/^¥[\d,]+\.\d{2}$/);
    expect(before.loans).toMatchObject({ href: '/partner/loans?overdue=1' });

    const consumer = await consumerAgent(t.app);
    const lead = await apply(consumer.agent, inst.productId);
    const fresh = await tiles(admin);
    expect(Number(fresh.leads!.figure)).toBe(Number(before.leads!.figure) + 1);
    // untouched for 30 hours: the tile turns red and links to the overdue ones
    await t.container.database.db.execute(sql`update applications set created_at = now() - interval '30 hours' where id = ${lead.id}`);
    const late = await tiles(admin);
    expect(late.leads).toMatchObject({ alert: true, href: '/partner/leads?stale=1' });
    expect(late.leads!.detail).toMatch(/^其中 \d+ 条超过 24 小时未响应$/);
    // answering it takes it off the list
    await admin.post(`/api/partner/v1/leads/${lead.id}/status`).send({ status: 'reviewing' }).expect(200);
    expect(Number((await tiles(admin)).leads!.figure)).toBe(Number(before.leads!.figure));

    // each role sees only what it may act on
    for (const [role, keys] of [
      ['lead_handler', ['complaints', 'leads', 'loans']],
      ['finance', ['loans', 'statements', 'unbilled']],
      ['product_manager', ['products']],
    ] as const) {
      const username = `b.${role}.${Date.now()}`;
      await accounts.createStaff({ kind: 'institution', username, password: PASSWORD, displayName: role, role, institutionId: inst.id });
      expect(Object.keys(await tiles(await staffAgent(t.app, 'partner', username))).sort(), role).toEqual(keys);
    }
  });

  it('the inbox page folds the less used filters under 更多筛选, open when one of them is in use', async () => {
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const plain = (await partner.get('/partner/leads').expect(200)).text;
    expect(plain).toContain('<details class="more-filters">');
    for (const q of [{ region: '上海' }, { minAmount: '1000' }, { queue: 'fast' }]) {
      const page = (await partner.get('/partner/leads').query(q).expect(200)).text;
      expect(page, JSON.stringify(q)).toContain('<details class="more-filters" open>');
    }
    // search, status and the overdue switch stay in view
    expect((await partner.get('/partner/leads').query({ status: 'submitted', stale: '1' }).expect(200)).text).toContain('<details class="more-filters">');
  });

  it('the approval form asks for the APR in percent, starting at the APR the consumer was quoted', async () => {
    const consumer = await consumerAgent(t.app);
    const lead = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const page = (await partner.get(`/partner/leads/${lead.id}`).expect(200)).text;
    const quoted = /name="offeredAprPercent" inputmode="decimal" value="([^"]*)"/.exec(page)?.[1];
    const product = (await request(t.app).get(`/api/v1/products/${t.fixtures.institutionA.productId}`).query({ amount: 50000, termMonths: 12 }).expect(200)).body;
    expect(quoted).toBe((product.apr.min * 100).toFixed(2));
    const post = (fields: Record<string, string>) =>
      partner.post(`/partner/leads/${lead.id}/status`).type('form').send({ _csrf: csrfFrom(page), idempotencyKey: crypto.randomUUID(), status: 'approved', offeredAmount: '50000', offeredTermMonths: '12', confirm: 'yes', ...fields });
    const bad = await post({ offeredAprPercent: '12%' }).expect(400);
    expect(bad.text).toContain('请输入百分比，如 12.00');
    expect(bad.text).toContain('value="12%"'); // what was typed is shown again
    expect((await post({ offeredAprPercent: '40' }).expect(400)).text).toContain('综合年化利率不得超过 36%');
    await post({ offeredAprPercent: '12.34' }).expect(303);
    const approved = (await partner.get(`/api/partner/v1/leads/${lead.id}`).expect(200)).body;
    expect(approved.offer).toEqual({ amount: 50000, termMonths: 12, apr: 0.1234 });
  });

  it('filters the inbox, measures time to first response and flags leads untouched for 24 hours', async () => {
    const alice = await consumerAgent(t.app);
    await alice.agent.put('/api/v1/profile').send({ city: '上海', creditSelfAssessment: 'excellent' }).expect(200);
    const bob = await consumerAgent(t.app);
    await bob.agent.put('/api/v1/profile').send({ city: '成都', creditSelfAssessment: 'fair' }).expect(200);
    const a = await apply(alice.agent, t.fixtures.institutionA.productId);
    const b = await apply(bob.agent, t.fixtures.institutionA.productId);
    // b arrived 30 hours ago and nobody touched it
    await t.container.database.db.execute(sql`update applications set created_at = now() - interval '30 hours' where id = ${b.id}`);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const ids = async (q: Record<string, string>) => (await partner.get('/api/partner/v1/leads').query(q).expect(200)).body.items.map((l: { id: string }) => l.id);
    expect(await ids({ region: '上海' })).toEqual([a.id]);
    expect(await ids({ creditBand: 'fair' })).toEqual([b.id]);
    expect(await ids({ stale: 'true' })).toEqual([b.id]);
    expect(await ids({ q: a.id.slice(-8) })).toEqual([a.id]);
    expect(await ids({ minAmount: '60000' })).toEqual([]);
    expect((await partner.get('/api/partner/v1/leads').query({ from: '2026-13-01' })).status).toBe(400);

    const staleOfA = async () => (await t.container.services.applications.staleLeadCounts()).get(t.fixtures.institutionA.id) ?? 0;
    const staleBefore = await staleOfA();
    expect(staleBefore).toBeGreaterThanOrEqual(1);
    await partner.post(`/api/partner/v1/leads/${b.id}/status`).send({ status: 'reviewing' }).expect(200);
    expect(await staleOfA()).toBe(staleBefore - 1);
    const list = (await partner.get('/api/partner/v1/leads').expect(200)).body.items as { id: string; stale: boolean; responseMinutes: number | null }[];
    const lb = list.find((l) => l.id === b.id)!;
    expect(lb.stale).toBe(false);
    expect(lb.responseMinutes).toBeGreaterThanOrEqual(30 * 60 - 1);
    expect(list.find((l) => l.id === a.id)!.responseMinutes).toBeNull();
  });

  it('exports CSV with consented fields only, recorded as releases; bulk status changes', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionB.productId);
    const withdrawnConsumer = await consumerAgent(t.app);
    const app2 = await apply(withdrawnConsumer.agent, t.fixtures.institutionB.productId);
    const consentId = (await withdrawnConsumer.agent.get('/api/v1/data-releases').expect(200)).body.items[0].consentId;
    await withdrawnConsumer.agent.post(`/api/v1/consents/${consentId}/withdraw`).send({}).expect(200);

    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    const csv = await partner.get('/partner/leads.csv').expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toContain('线索编号');
    const row = lines.find((l) => l.startsWith(app.id))!;
    expect(row).toContain('王**');
    expect(row).not.toContain(consumer.phone);
    expect(row).not.toContain(consumer.idNumber);
    const withdrawnRow = lines.find((l) => l.startsWith(app2.id))!;
    expect(withdrawnRow).toContain('已撤回');
    expect(withdrawnRow).not.toContain('王**');
    const releases = (await consumer.agent.get('/api/v1/data-releases').expect(200)).body.items[0].releases.map((r: { channel: string }) => r.channel);
    expect(releases).toContain('export');

    const page = await partner.get('/partner/leads').expect(200);
    // rejecting cannot be undone: the first post asks once more, and nothing changes yet
    const ask = await partner
      .post('/partner/leads/bulk')
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfFrom(page.text))}&ids=${app.id}&ids=${app2.id}&status=rejected&reason=income`)
      .expect(200);
    expect(ask.text).toContain('将拒绝所选的 <strong data-testid="bulk-count">2</strong> 条线索，原因：<strong>收入不满足要求</strong>');
    expect((await partner.get(`/api/partner/v1/leads/${app.id}`).expect(200)).body.status).not.toBe('rejected');
    const bulk = await partner
      .post('/partner/leads/bulk')
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfFrom(ask.text))}&ids=${app.id}&ids=${app2.id}&status=rejected&reason=income&confirm=yes`)
      .expect(303);
    expect(bulk.headers.location).toBe('/partner/leads');
    for (const id of [app.id, app2.id]) {
      expect((await partner.get(`/api/partner/v1/leads/${id}`).expect(200)).body.status).toBe('rejected');
    }
    // institution A cannot bulk-move B's leads
    const other = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const otherPage = await other.get('/partner/leads').expect(200);
    const attempt = await other
      .post('/partner/leads/bulk')
      .type('form')
      .send(`_csrf=${encodeURIComponent(csrfFrom(otherPage.text))}&ids=${app.id}&status=reviewing`)
      .expect(303);
    const flash = await other.get(attempt.headers.location!).expect(200);
    expect(flash.text).toContain('1 条未更新');
  });

  it('messages on a lead respect consent and "stop contacting me"', async () => {
    const consumer = await consumerAgent(t.app);
    const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
    const partner = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    await partner.post(`/api/partner/v1/leads/${app.id}/messages`).send({ body: '请补充收入证明' }).expect(201);
    await partner.post(`/api/partner/v1/leads/${app.id}/messages`).send({ body: '' }).expect(400);
    await consumer.agent.post(`/api/v1/applications/${app.id}/messages`).send({ body: '好的，稍后上传' }).expect(201);
    const thread = await consumer.agent.get(`/api/v1/applications/${app.id}/messages`).expect(200);
    expect(thread.body.items.map((m: { from: string }) => m.from)).toEqual(['institution', 'consumer']);
    expect((await consumer.agent.get('/api/v1/notifications').expect(200)).body.items[0].kind).toBe('message');
    const stranger = await consumerAgent(t.app);
    await stranger.agent.get(`/api/v1/applications/${app.id}/messages`).expect(404);
    const other = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    await other.post(`/api/partner/v1/leads/${app.id}/messages`).send({ body: 'hi' }).expect(404);

    await consumer.agent.post('/api/v1/contact-preferences/blocks').send({ institutionId: t.fixtures.institutionA.id, blocked: true }).expect(200);
    const refused = await partner.post(`/api/partner/v1/leads/${app.id}/messages`).send({ body: '再联系一次' }).expect(403);
    expect(refused.body.error.code).toBe('contact_refused');
  });

  it('institution admins create and revoke API keys in the portal', async () => {
    const admin = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const page = await admin.get('/partner/api-keys').expect(200);
    const created = await admin.post('/partner/api-keys').type('form').send({ _csrf: csrfFrom(page.text), name: '信贷系统' }).expect(200);
    const key = /<code>(dck_[^<]+)<\/code>/.exec(created.text)![1]!;
    await request(t.app).get('/api/partner/v1/leads').set('Authorization', `Bearer ${key}`).expect(200);
    const keyId = /data-key-id="([^"]+)"/.exec(created.text)![1]!;
    // revoking cannot be undone: without the ticked confirmation the page comes back with the reason and the key still works
    const unconfirmed = await admin.post(`/partner/api-keys/${keyId}/revoke`).type('form').send({ _csrf: csrfFrom(created.text) }).expect(400);
    expect(unconfirmed.text).toContain('请勾选确认：此操作无法撤回');
    await request(t.app).get('/api/partner/v1/leads').set('Authorization', `Bearer ${key}`).expect(200);
    await admin.post(`/partner/api-keys/${keyId}/revoke`).type('form').send({ _csrf: csrfFrom(created.text), confirm: 'yes' }).expect(303);
    await request(t.app).get('/api/partner/v1/leads').set('Authorization', `Bearer ${key}`).expect(401);
    // a staff member who is not an admin cannot manage keys
    await t.container.services.accounts.createStaff({ kind: 'institution', username: 'a.clerk', password: PASSWORD, displayName: '专员', role: 'lead_handler', institutionId: t.fixtures.institutionA.id });
    const clerk = await staffAgent(t.app, 'partner', 'a.clerk');
    await clerk.get('/partner/api-keys').expect(403);
    // and another institution's key id is not found
    const b = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    const bPage = await b.get('/partner/leads').expect(200);
    await b.post(`/partner/api-keys/${keyId}/revoke`).type('form').send({ _csrf: csrfFrom(bPage.text), confirm: 'yes' }).expect(404);
  });
});

describe('lead webhooks end to end', () => {
  let t: TestApp;
  beforeAll(async () => {
    // the receiver below listens on this machine: the documented development setting allows it
    t = await startTestApp({ env: { WEBHOOK_ALLOW_LOOPBACK: 'true' } });
  });
  afterAll(() => t?.close());

  it('an institution sets its URL in the portal and receives signed lead.created events, retried until acknowledged', async () => {
    const { createServer } = await import('node:http');
    const { verifySignature } = await import('../../server/modules/webhooks');
    const received: { body: string; signature: string; delivery: string }[] = [];
    let answer = 503;
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push({ body, signature: String(req.headers['x-daichao-signature']), delivery: String(req.headers['x-daichao-delivery']) });
        res.statusCode = answer;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const admin = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
      const page = await admin.get('/partner/webhook').expect(200);
      const bad = await admin.post('/partner/webhook').type('form').send({ _csrf: csrfFrom(page.text), url: 'ftp://nope' }).expect(400);
      expect(bad.text).toContain('field-error');
      const set = await admin.post('/partner/webhook').type('form').send({ _csrf: csrfFrom(page.text), url: `http://127.0.0.1:${port}/hook` }).expect(200);
      const secret = /<code>(whsec_[^<]+)<\/code>/.exec(set.text)![1]!;

      const consumer = await consumerAgent(t.app);
      const app = await apply(consumer.agent, t.fixtures.institutionA.productId);
      await t.container.services.webhooks.deliverDue();
      expect(received).toHaveLength(1); // refused with 503: retried later with backoff
      await t.container.database.db.execute(sql`update webhook_deliveries set next_attempt_at = now()`);
      answer = 200;
      await t.container.services.webhooks.deliverDue();
      expect(received).toHaveLength(2);
      expect(received[1]!.delivery).toBe(received[0]!.delivery);
      const event = JSON.parse(received[1]!.body);
      expect(event).toMatchObject({ event: 'lead.created', data: { leadId: app.id } });
      expect(received[1]!.body).not.toContain(consumer.phone);
      expect(verifySignature(secret, received[1]!.body, received[1]!.signature)).toBe(true);
      const log = await admin.get('/partner/webhook').expect(200);
      expect(log.text).toMatch(/data-status="delivered"/);
      await t.container.services.webhooks.deliverDue();
      expect(received).toHaveLength(2); // acknowledged: never again
    } finally {
      server.close();
    }
  });
});

describe('webhook URLs that lead inside (SSRF)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp(); // WEBHOOK_ALLOW_LOOPBACK unset: as in production
  });
  afterAll(() => t?.close());

  it('saving an address inside is a 400 naming the field; an address that turns inside is refused at delivery with a generic log line', async () => {
    const admin = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const page = await admin.get('/partner/webhook').expect(200);
    const hosts = ['127.0.0.1', 'localhost', '[::1]', '169.254.169.254', '10.0.0.1', '192.168.1.1', '0.0.0.0', '2130706433', '127.1', 'metadata.google.internal', '[::ffff:127.0.0.1]', '0x7f.1'];
    for (const host of hosts) {
      const url = `https://${host}/hook`;
      const res = await admin.post('/partner/webhook').type('form').send({ _csrf: csrfFrom(page.text), url });
      expect(res.status, url).toBe(400);
      expect(res.text, url).toMatch(/<span class="field-error">回调地址(指向本机|指向内网、本机或保留地址|的域名无法解析)[^<]*<\/span>/);
    }
    // plain http to this machine is for local testing only
    const http = await admin.post('/partner/webhook').type('form').send({ _csrf: csrfFrom(page.text), url: 'http://127.0.0.1:8080/hook' }).expect(400);
    expect(http.text).toContain('<span class="field-error">须使用 https://</span>');
    expect(await t.container.services.webhooks.getEndpoint(t.fixtures.institutionA.id)).toBeUndefined();

    // an endpoint whose address is inside by the time it is delivered to (here: written as DNS would have turned it)
    const { createServer } = await import('node:net');
    let connections = 0;
    const listener = createServer((socket) => {
      connections++;
      socket.destroy();
    });
    await new Promise<void>((done) => listener.listen(0, '127.0.0.1', done));
    try {
      await t.container.database.db.execute(
        sql`insert into webhook_endpoints (id, institution_id, url, secret_enc, active) values ('whe_inside', ${t.fixtures.institutionA.id}, ${`https://127.0.0.1:${(listener.address() as { port: number }).port}/hook`}, ${t.container.pii.encrypt('whsec_x')}, 'yes')`,
      );
      const consumer = await consumerAgent(t.app);
      await apply(consumer.agent, t.fixtures.institutionA.productId);
      expect(await t.container.services.webhooks.deliverDue()).toMatchObject({ attempted: 1, delivered: 0, failed: 1 });
      expect(connections).toBe(0);
      const log = (await admin.get('/partner/webhook').expect(200)).text;
      expect(log).toContain('<td data-outcome>地址不允许</td>');
      expect(log).not.toMatch(/ECONNREFUSED|EPROTO|socket|TLS/i);
    } finally {
      listener.close();
    }
  });
});

describe('pre-screen rules', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t?.close());

  it('applies an institution’s rules on arrival: declines with the reason, sends good credit to the fast queue, counts hits', async () => {
    const admin = await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff);
    const page = await admin.get('/partner/prescreen').expect(200);
    const bad = await admin
      .post('/partner/prescreen')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: '低收入拒绝', field: 'monthlyIncome', operator: '<', value: '5000', action: 'decline' })
      .expect(400);
    expect(bad.text).toContain('自动拒绝须选择拒绝原因');
    await admin
      .post('/partner/prescreen')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: '低收入拒绝', field: 'monthlyIncome', operator: '<', value: '5000', action: 'decline', rejectReason: 'income', priority: '1' })
      .expect(303);
    await admin
      .post('/partner/prescreen')
      .type('form')
      .send({ _csrf: csrfFrom(page.text), name: '高信用快速通道', field: 'creditScore', operator: '>=', value: '750', action: 'fast_queue', priority: '2' })
      .expect(303);

    const poor = await consumerAgent(t.app);
    await poor.agent.put('/api/v1/profile').send({ monthlyIncome: 3000, creditSelfAssessment: 'excellent' }).expect(200);
    const declined = await apply(poor.agent, t.fixtures.institutionA.productId);
    const seen = await poor.agent.get(`/api/v1/applications/${declined.id}`).expect(200);
    expect(seen.body.status).toBe('rejected');
    expect(seen.body.rejectReason).toBe('income');
    expect(seen.body.timeline.map((e: { to: string; actor: string }) => `${e.to}/${e.actor}`)).toEqual(['submitted/consumer', 'rejected/system']);
    // the submission's answer already said so, with the same timeline a read finds
    expect({ ...declined, rejection: seen.body.rejection }).toStrictEqual(seen.body);

    const good = await consumerAgent(t.app);
    await good.agent.put('/api/v1/profile').send({ monthlyIncome: 20000, creditSelfAssessment: 'excellent' }).expect(200);
    const fast = await apply(good.agent, t.fixtures.institutionA.productId);
    expect({ ...fast, rejection: null }).toStrictEqual((await good.agent.get(`/api/v1/applications/${fast.id}`).expect(200)).body);
    const leads = await admin.get('/api/partner/v1/leads').query({ queue: 'fast' }).expect(200);
    expect(leads.body.items.map((l: { id: string }) => l.id)).toEqual([fast.id]);

    const rules = await t.container.services.prescreen.list(t.fixtures.institutionA.id);
    expect(rules.map((r) => [r.name, r.hits])).toEqual([
      ['低收入拒绝', 1],
      ['高信用快速通道', 1],
    ]);
    const other = await staffAgent(t.app, 'partner', t.fixtures.institutionB.staff);
    const otherPage = await other.get('/partner/leads').expect(200);
    await other.post(`/partner/prescreen/${rules[0]!.id}/toggle`).type('form').send({ _csrf: csrfFrom(otherPage.text), active: '0' }).expect(404);
  });

  it('the score-band tiers switched on from the page: > 750 fast, 600–750 kept for a person, < 600 declined, on the assessed 信用评估 score', async () => {
    const inst = t.fixtures.institutionB;
    const admin = await staffAgent(t.app, 'partner', inst.staff);
    const page = await admin.get('/partner/prescreen').expect(200);
    expect(page.text).toContain('信用分 ≥ 650 自动进入快速通道');
    await admin.post('/partner/prescreen/presets').type('form').send({ _csrf: csrfFrom(page.text), preset: 'nonsense' }).expect(400);
    await admin.post('/partner/prescreen/presets').type('form').send({ _csrf: csrfFrom(page.text), preset: 'score_tiers' }).expect(303);
    const rules = await t.container.services.prescreen.list(inst.id);
    expect(rules.map((r) => r.action)).toEqual(['fast_queue', 'manual', 'decline']);

    const answers = { monthlyIncome: '12000', incomeProof: 'payroll', employment: '上班族', tenureMonths: 36, housingFundPaid: true, housingFundMonths: 30, socialInsurancePaid: true, monthlyDebt: '1500', creditCards: 2, cardUtilisationPercent: 20, overdue: 'none', inquiries6m: 1, assets: ['vehicle'] };
    const borrower = async (over: Record<string, unknown>, band: (score: number) => boolean) => {
      const c = await consumerAgent(t.app);
      // the self-assessed dropdown says excellent for everyone: the assessed score must be what counts
      await c.agent.put('/api/v1/profile').send({ monthlyIncome: 12000, creditSelfAssessment: 'excellent' }).expect(200);
      const { score } = (await c.agent.put('/api/v1/credit-profile').send({ ...answers, ...over }).expect(200)).body;
      expect(band(score), `score ${score}`).toBe(true);
      return (await apply(c.agent, inst.productId)).id;
    };
    const top = await borrower({}, (s) => s > 750);
    const middle = await borrower({ overdue: 'settled', inquiries6m: 4, incomeProof: 'none' }, (s) => s >= 600 && s <= 750);
    const low = await borrower({ overdue: 'current', inquiries6m: 12, monthlyDebt: '9000', cardUtilisationPercent: 95, incomeProof: 'none', assets: [] }, (s) => s < 600);

    const fast = await admin.get('/api/partner/v1/leads').query({ queue: 'fast' }).expect(200);
    expect(fast.body.items.map((l: { id: string }) => l.id)).toEqual([top]);
    const kept = await admin.get(`/api/partner/v1/leads/${middle}`).expect(200);
    expect(kept.body.status).toBe('submitted');
    const declined = await admin.get(`/api/partner/v1/leads/${low}`).expect(200);
    expect(declined.body.status).toBe('rejected');
    expect(declined.body.rejectReason).toBe('credit_score');
    expect((await t.container.services.prescreen.list(inst.id)).map((r) => r.hits)).toEqual([1, 1, 1]);
  });
});
