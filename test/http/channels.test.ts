import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { and, eq, inArray } from 'drizzle-orm';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestClock } from '../../server/lib/clock';
import { auditLog } from '../../server/modules/audit/audit.schema';
import { channelAttributions, channels, channelTouches } from '../../server/modules/channels';
import { verifySignature } from '../../server/modules/webhooks';
import { startTestApp, type TestApp } from '../support/app';
import { AGREED_FORM, apply, csrfFrom, newIdNumber, newPhone, readCode, register, smsCode, staffAgent } from '../support/http';
import { PASSWORD } from '../support/fixtures';

const DAY = 24 * 3600_000;

/** A real HTTP receiver on 127.0.0.1: checks each postback's signature with the secret of its path, answers what the path is told to. */
class Receiver {
  readonly received: { path: string; body: Record<string, string>; raw: string; valid: boolean; at: number }[] = [];
  readonly secrets = new Map<string, string>();
  readonly answers = new Map<string, number>();
  private server!: Server;
  base = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      let raw = '';
      req.on('data', (c: Buffer) => (raw += c.toString('utf8')));
      req.on('end', () => {
        const path = req.url ?? '/';
        const secret = this.secrets.get(path) ?? '';
        this.received.push({ path, raw, body: JSON.parse(raw) as Record<string, string>, valid: verifySignature(secret, raw, req.headers['x-daichao-signature'] as string, { toleranceSeconds: 10 * DAY }), at: Date.now() });
        res.statusCode = this.answers.get(path) ?? 200;
        res.end('ok');
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  at(path: string) {
    return this.received.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

describe('channels: acquisition', () => {
  let t: TestApp;
  let admin: ReturnType<typeof request.agent>;
  const clock = new TestClock();
  const receiver = new Receiver();
  let codeSeq = 0;
  const nextCode = () => `t${process.pid % 1000}x${++codeSeq}`;

  const createChannel = async (extra: Record<string, unknown> = {}) => {
    const res = await admin.post('/api/admin/v1/channels').send({ name: '抖音信息流', code: nextCode(), type: 'feed_ads', ...extra });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as { channel: { id: string; code: string }; postbackSecret: string | null };
  };
  const attributionOf = (accountId: string) => t.container.services.channels.attributionOf(accountId);
  const touchesOf = async (channelId: string) => t.container.database.db.select().from(channelTouches).where(eq(channelTouches.channelId, channelId));
  /** registers through the API with the visitor's cookies; the new account id */
  const registerAs = async (agent: ReturnType<typeof request.agent>, extra: Record<string, unknown> = {}) => {
    const res = await register(agent, t.app, newPhone(), extra);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body.account.id as string;
  };

  beforeAll(async () => {
    t = await startTestApp({ env: { WEBHOOK_ALLOW_LOOPBACK: 'true', PUBLIC_URL: 'https://daichao.example.cn' }, clock });
    admin = await staffAgent(t.app, 'admin', 'op.admin');
    await receiver.start();
  }, 60_000);
  afterAll(async () => {
    await receiver.stop();
    await t?.close();
  });

  describe('onboarding (operators)', () => {
    it('creates a channel with sealed, masked contact phone and settlement account, audited; 409 on a taken code', async () => {
      const code = nextCode();
      const res = await admin.post('/api/admin/v1/channels').send({
        name: '某应用商店',
        code,
        type: 'app_store',
        contactName: '李经理',
        contactPhone: '13812345678',
        contactEmail: 'li@example.com',
        settlementAccountName: '某科技有限公司',
        settlementBank: '招商银行北京分行',
        settlementAccountNumber: '6222 0212 3456 7890 123',
        notes: '年框合作',
      });
      expect(res.status).toBe(201);
      expect(res.body.channel).toMatchObject({ code, status: 'active', contactPhoneMasked: '138****5678', settlementAccountMasked: '6222 **** **** 0123', postbackUrl: null, hasPostbackSecret: false });
      expect(res.body.postbackSecret).toBeNull();
      expect(JSON.stringify(res.body)).not.toContain('13812345678');
      const [row] = await t.container.database.db.select().from(channels).where(eq(channels.id, res.body.channel.id));
      expect(row!.contactPhoneEnc).not.toContain('13812345678');
      expect(t.container.pii.decrypt(row!.contactPhoneEnc!)).toBe('13812345678');
      expect(t.container.pii.decrypt(row!.settlementAccountEnc!)).toBe('6222021234567890123');

      const dup = await admin.post('/api/admin/v1/channels').send({ name: '另一个', code, type: 'agent' });
      expect(dup.status).toBe(409);
      expect(dup.body.error.code).toBe('channel_code_taken');
      expect(dup.body.error.fields.code).toContain(code);

      const audits = await t.container.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'channel.created'), eq(auditLog.objectId, res.body.channel.id)));
      expect(audits).toHaveLength(1);
      expect(JSON.stringify(audits[0]!.detail)).not.toContain('13812345678');

      // the page shows it masked
      const page = await admin.get(`/admin/channels/${res.body.channel.id}`).expect(200);
      expect(page.text).toContain('138****5678');
      expect(page.text).toContain('6222 **** **** 0123');
      expect(page.text).not.toContain('13812345678');
      const list = await admin.get('/admin/channels').expect(200);
      expect(list.text).toContain(`data-channel-code="${code}"`);
      expect(list.text).toContain('应用商店');
    });

    it('refuses bad input with 400 and the field', async () => {
      const cases: [Record<string, unknown>, string][] = [
        [{ name: '甲', code: 'DY-01', type: 'feed_ads' }, 'code'],
        [{ name: '甲', code: 'a', type: 'feed_ads' }, 'code'],
        [{ name: '', code: nextCode(), type: 'feed_ads' }, 'name'],
        [{ name: '甲', code: nextCode(), type: 'tv' }, 'type'],
        [{ name: '甲', code: nextCode(), type: 'sms', contactPhone: '12345' }, 'contactPhone'],
        [{ name: '甲', code: nextCode(), type: 'sms', contactEmail: 'nope' }, 'contactEmail'],
        [{ name: '甲', code: nextCode(), type: 'sms', settlementAccountNumber: '12ab' }, 'settlementAccountNumber'],
        [{ name: '甲', code: nextCode(), type: 'sms', postbackUrl: 'http://partner.example.com/pb' }, 'postbackUrl'],
        [{ name: '甲', code: nextCode(), type: 'sms', postbackUrl: 'https://10.0.0.8/pb' }, 'postbackUrl'],
        [{ name: '甲', code: nextCode(), type: 'sms', status: 'active' }, 'status'],
      ];
      for (const [body, field] of cases) {
        const res = await admin.post('/api/admin/v1/channels').send(body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(Object.keys(res.body.error.fields), JSON.stringify(body)).toContain(field);
      }
      const { channel } = await createChannel();
      expect((await admin.patch(`/api/admin/v1/channels/${channel.id}`).send({ code: 'other' })).status).toBe(400);
      expect((await admin.patch(`/api/admin/v1/channels/${channel.id}`).send({ status: 'closed' })).status).toBe(400);
      expect((await admin.patch('/api/admin/v1/channels/chn_nosuchchannel0000000').send({ name: '新' })).status).toBe(404);
      expect((await admin.get('/api/admin/v1/channels/chn_nosuchchannel0000000')).status).toBe(404);
    });

    it('the create form shows the 409 beside the code, and the edit form keeps sealed fields when left blank', async () => {
      const { channel } = await createChannel({ contactPhone: '010-87654321' });
      const form = await admin.get('/admin/channels/new').expect(200);
      const csrf = csrfFrom(form.text);
      const dup = await admin.post('/admin/channels').type('form').send({ _csrf: csrf, name: '重复', code: channel.code, type: 'agent' });
      expect(dup.status).toBe(409);
      expect(dup.text).toContain('data-testid="code-error"');
      const created = await admin.post('/admin/channels').type('form').send({ _csrf: csrf, name: '表单渠道', code: nextCode(), type: 'agent', contactPhone: '13900001111' });
      expect(created.status).toBe(200);
      expect(created.text).toContain('139****1111');

      const edit = await admin.get(`/admin/channels/${channel.id}/edit`).expect(200);
      expect(edit.text).toContain('010-****4321');
      const saved = await admin.post(`/admin/channels/${channel.id}`).type('form').send({ _csrf: csrfFrom(edit.text), name: '改名渠道', type: 'sms', contactPhone: '', notes: '改了' });
      expect(saved.status).toBe(303);
      const after = await admin.get(`/api/admin/v1/channels/${channel.id}`).expect(200);
      expect(after.body.channel).toMatchObject({ name: '改名渠道', type: 'sms', notes: '改了', contactPhoneMasked: '010-****4321' });
      const audits = await t.container.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'channel.updated'), eq(auditLog.objectId, channel.id)));
      expect(audits).toHaveLength(1);
      expect((audits[0]!.detail as { fields: string[] }).fields.sort()).toEqual(['name', 'notes', 'type']);
    });

    it('status changes are audited; tracking links per sub-ID with full URLs, 409 on a repeated sub-ID, archived once', async () => {
      const { channel } = await createChannel();
      const paused = await admin.patch(`/api/admin/v1/channels/${channel.id}`).send({ status: 'paused' });
      expect(paused.status).toBe(200);
      expect(paused.body.channel.status).toBe('paused');
      const [audit] = await t.container.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'channel.status_changed'), eq(auditLog.objectId, channel.id)));
      expect(audit!.detail).toMatchObject({ from: 'active', to: 'paused' });
      expect((await admin.patch(`/api/admin/v1/channels/${channel.id}`).send({ status: 'active' })).status).toBe(200);

      const link = await admin.post(`/api/admin/v1/channels/${channel.id}/links`).send({ subId: 'campaign-7', label: '七月活动', landingHeadline: '最高可借 20 万' });
      expect(link.status).toBe(201);
      expect(link.body.link).toMatchObject({
        subId: 'campaign-7',
        trackingUrl: `https://daichao.example.cn/?ch=${channel.code}&sub=campaign-7`,
        landingUrl: `https://daichao.example.cn/c/${channel.code}/campaign-7`,
      });
      const bare = await admin.post(`/api/admin/v1/channels/${channel.id}/links`).send({});
      expect(bare.status).toBe(201);
      expect(bare.body.link.landingUrl).toBe(`https://daichao.example.cn/c/${channel.code}`);
      const again = await admin.post(`/api/admin/v1/channels/${channel.id}/links`).send({ subId: 'campaign-7' });
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('channel_link_exists');
      expect((await admin.post(`/api/admin/v1/channels/${channel.id}/links`).send({ subId: 'has space' })).status).toBe(400);
      expect((await admin.post(`/api/admin/v1/channels/${channel.id}/links`).send({ subId: 'code' })).status).toBe(400);
      expect((await admin.post('/api/admin/v1/channels/chn_nosuchchannel0000000/links').send({ subId: 'x' })).status).toBe(404);

      const detail = (await admin.get(`/admin/channels/${channel.id}`).expect(200)).text.replaceAll('&#x3D;', '=').replaceAll('&amp;', '&');
      expect(detail).toContain(`https://daichao.example.cn/?ch=${channel.code}&sub=campaign-7`);
      expect(detail).toContain(`https://daichao.example.cn/c/${channel.code}/campaign-7`);

      const archived = await admin.post(`/api/admin/v1/channels/${channel.id}/links/${link.body.link.id}/archive`).send({});
      expect(archived.status).toBe(200);
      expect(archived.body.link.status).toBe('archived');
      const twice = await admin.post(`/api/admin/v1/channels/${channel.id}/links/${link.body.link.id}/archive`).send({});
      expect(twice.status).toBe(409);
      // the archived link's landing page no longer opens
      const landing = await request(t.app).get(`/c/${channel.code}/campaign-7`);
      expect(landing.status).toBe(302);
      expect(landing.headers.location).toBe('/register');
      const actions = (await t.container.database.db.select().from(auditLog).where(inArray(auditLog.objectId, [link.body.link.id, bare.body.link.id]))).map((a) => a.action).sort();
      expect(actions).toEqual(['channel_link.archived', 'channel_link.created', 'channel_link.created']);
    });
    it('the channel page: a status form, a link form that shows its refusal, a new secret shown once', async () => {
      const { channel } = await createChannel({ postbackUrl: `${receiver.base}/page` });
      const page = await admin.get(`/admin/channels/${channel.id}`).expect(200);
      expect(page.text).not.toContain('data-testid="postback-secret"');
      const csrf = csrfFrom(page.text);
      const paused = await admin.post(`/admin/channels/${channel.id}/status`).type('form').send({ _csrf: csrf, status: 'paused' });
      expect(paused.status).toBe(303);
      expect((await t.container.services.channels.get(channel.id)).status).toBe('paused');
      const badStatus = await admin.post(`/admin/channels/${channel.id}/status`).type('form').send({ _csrf: csrf, status: 'gone' });
      expect(badStatus.status).toBe(303);
      expect((await admin.get(`/admin/channels/${channel.id}`).expect(200)).text).toContain('状态有误');

      const refused = await admin.post(`/admin/channels/${channel.id}/links`).type('form').send({ _csrf: csrf, subId: 'bad sub', label: '坏' });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('data-testid="link-error"');
      expect(refused.text).toContain('value="bad sub"');
      const made = await admin.post(`/admin/channels/${channel.id}/links`).type('form').send({ _csrf: csrf, subId: 'page-1', label: '页面', landingHeadline: '页面标题' });
      expect(made.status).toBe(303);
      expect((await t.container.services.channels.links(channel.id)).map((l) => l.subId)).toEqual(['page-1']);

      const rotated = await admin.post(`/admin/channels/${channel.id}/secret`).type('form').send({ _csrf: csrf });
      expect(rotated.status).toBe(200);
      const secret = /data-testid="postback-secret">[\s\S]*?<code>(chsec_[\w-]+)<\/code>/.exec(rotated.text)?.[1];
      expect(secret).toMatch(/^chsec_/);
      expect((await admin.get(`/admin/channels/${channel.id}`).expect(200)).text).not.toContain(secret!);
      const [audit] = await t.container.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'channel.postback_secret_rotated'), eq(auditLog.objectId, channel.id)));
      expect(JSON.stringify(audit!.detail)).not.toContain(secret!);
    });
  });

  describe('visits and attribution', () => {
    it('records a touch for ?ch= on any page, once per 30 minutes per visitor, channel and sub-ID; bad or unknown codes are ignored', async () => {
      const { channel } = await createChannel();
      const visitor = request.agent(t.app);
      await visitor.get(`/?ch=${channel.code}&sub=s1&click_id=clk-001`).expect(200);
      await visitor.get(`/products?ch=${channel.code}&sub=s1&click_id=clk-002`).expect(200);
      await visitor.get(`/?ch=${channel.code}&sub=s2`).expect(200);
      const touches = await touchesOf(channel.id);
      expect(touches.map((x) => [x.subId, x.clickId, x.landingPath])).toEqual([
        ['s1', 'clk-001', '/'],
        ['s2', '', '/'],
      ]);
      await visitor.get('/?ch=nosuchcode').expect(200);
      await visitor.get('/?ch=BAD!code').expect(200);
      await visitor.get(`/?ch=${channel.code}&sub=${'x'.repeat(41)}`).expect(200);
      expect(await touchesOf(channel.id)).toHaveLength(2);
      // 31 minutes later the same link is a new touch
      clock.set(new Date(Date.now() + 31 * 60_000));
      try {
        await visitor.get(`/?ch=${channel.code}&sub=s1`).expect(200);
      } finally {
        clock.release();
      }
      expect(await touchesOf(channel.id)).toHaveLength(3);
    });

    it('attributes a registration to the first touch inside the window (two channels touched: the first wins)', async () => {
      const first = await createChannel();
      const second = await createChannel();
      const visitor = request.agent(t.app);
      await visitor.get(`/?ch=${first.channel.code}&sub=a1&clickid=first-click`).expect(200);
      await visitor.get(`/products?ch=${second.channel.code}&sub=b1`).expect(200);
      const accountId = await registerAs(visitor);
      const a = await attributionOf(accountId);
      expect(a).toMatchObject({ channelId: first.channel.id, subId: 'a1', clickId: 'first-click' });
      expect(a!.device).toMatch(/^web:/);
      const list = await admin.get('/api/admin/v1/channels').expect(200);
      expect(list.body.channels.find((c: { id: string }) => c.id === first.channel.id).registrations).toBe(1);
      expect(list.body.channels.find((c: { id: string }) => c.id === second.channel.id).registrations).toBe(0);
    });

    it('a touch outside the window attributes nothing; the window is the setting channels.attributionWindowDays', async () => {
      const { channel } = await createChannel();
      const old = request.agent(t.app);
      clock.set(new Date(Date.now() - 31 * DAY));
      try {
        await old.get(`/?ch=${channel.code}`).expect(200);
      } finally {
        clock.release();
      }
      expect(await touchesOf(channel.id)).toHaveLength(1);
      expect(await attributionOf(await registerAs(old))).toBeUndefined();

      const widened = request.agent(t.app);
      clock.set(new Date(Date.now() - 31 * DAY));
      try {
        await widened.get(`/?ch=${channel.code}&sub=w`).expect(200);
      } finally {
        clock.release();
      }
      await t.container.services.settings.set('channels.attributionWindowDays', 45, { kind: 'system' });
      try {
        expect(await attributionOf(await registerAs(widened))).toMatchObject({ channelId: channel.id, subId: 'w' });
      } finally {
        await t.container.services.settings.set('channels.attributionWindowDays', 30, { kind: 'system' });
      }
    });

    it('never attributes an account twice', async () => {
      const first = await createChannel();
      const second = await createChannel();
      const visitor = request.agent(t.app);
      await visitor.get(`/?ch=${first.channel.code}`).expect(200);
      const phone = newPhone();
      const res = await register(visitor, t.app, phone);
      expect(res.status).toBe(201);
      const accountId = res.body.account.id as string;
      const before = await attributionOf(accountId);
      expect(before!.channelId).toBe(first.channel.id);
      // another door (the seed's attribute, or a partner app's channel) finds the row and changes nothing
      const other = request.agent(t.app);
      await other.get(`/?ch=${second.channel.code}`).expect(200);
      const [touch] = await touchesOf(second.channel.id);
      expect(await t.container.services.channels.attribute(accountId, { visitor: touch!.visitor, device: 'web:x', channel: { code: second.channel.code } })).toBeNull();
      expect(await attributionOf(accountId)).toEqual(before);
      // registering the same phone again is refused before anything is written
      clock.set(new Date(Date.now() + 2 * 60_000)); // a new code for the number after the one-a-minute limit
      try {
        const again = await register(request.agent(t.app), t.app, phone);
        expect(again.status).toBe(409);
      } finally {
        clock.release();
      }
      expect(await attributionOf(accountId)).toEqual(before);
    });

    it('five registrations at once from one visitor cookie: each account gets exactly one attribution', async () => {
      const { channel } = await createChannel();
      const visitor = request.agent(t.app);
      await visitor.get(`/?ch=${channel.code}&sub=burst`).expect(200);
      const phones = Array.from({ length: 5 }, () => newPhone());
      const codes: string[] = [];
      for (const phone of phones) codes.push(await smsCode(t.app, phone));
      const results = await Promise.all(
        phones.map((phone, i) => visitor.post('/api/v1/auth/register').send({ phone, code: codes[i], password: PASSWORD, agreements: { userAgreement: 1, privacyPolicy: 1 } })),
      );
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
      const ids = results.map((r) => r.body.account.id as string);
      const rows = await t.container.database.db.select().from(channelAttributions).where(inArray(channelAttributions.accountId, ids));
      expect(rows).toHaveLength(5);
      expect(new Set(rows.map((r) => r.accountId)).size).toBe(5);
      expect(rows.every((r) => r.channelId === channel.id && r.subId === 'burst')).toBe(true);
    });

    it('a paused channel records no touches and attributes no one; a signed-in consumer records nothing', async () => {
      const { channel } = await createChannel();
      const visitor = request.agent(t.app);
      await visitor.get(`/?ch=${channel.code}`).expect(200);
      expect(await touchesOf(channel.id)).toHaveLength(1);
      await admin.patch(`/api/admin/v1/channels/${channel.id}`).send({ status: 'paused' }).expect(200);
      const later = request.agent(t.app);
      await later.get(`/?ch=${channel.code}`).expect(200);
      expect(await touchesOf(channel.id)).toHaveLength(1);
      expect(await attributionOf(await registerAs(visitor))).toBeUndefined();

      await admin.patch(`/api/admin/v1/channels/${channel.id}`).send({ status: 'active' }).expect(200);
      const consumer = request.agent(t.app);
      await registerAs(consumer);
      await consumer.get(`/?ch=${channel.code}&sub=signed-in`).expect(200);
      expect((await touchesOf(channel.id)).filter((x) => x.subId === 'signed-in')).toHaveLength(0);
    });

    it('an app registration may carry its channel: a touch at that moment; unknown code attributes nothing; malformed is a 400', async () => {
      const { channel } = await createChannel({ type: 'partner_app' });
      const app = request.agent(t.app);
      const accountId = await registerAs(app, { channel: { code: channel.code, sub: 'in-app', clickId: 'app.click:42' } });
      expect(await attributionOf(accountId)).toMatchObject({ channelId: channel.id, subId: 'in-app', clickId: 'app.click:42' });
      const unknown = await registerAs(request.agent(t.app), { channel: { code: 'nosuchcode' } });
      expect(await attributionOf(unknown)).toBeUndefined();
      const phone = newPhone();
      const code = await smsCode(t.app, phone);
      const bad = await request(t.app).post('/api/v1/auth/register').send({ phone, code, password: PASSWORD, agreements: { userAgreement: 1, privacyPolicy: 1 }, channel: { code: 'BAD CODE', extra: 1 } });
      expect(bad.status).toBe(400);
      expect(Object.keys(bad.body.error.fields)).toEqual(expect.arrayContaining(['channel.code', 'extra']));
    });
  });

  describe('H5 landing page', () => {
    it('renders the headline and trust text, records the visit, and registering on it attributes the borrower', async () => {
      const { channel } = await createChannel();
      await admin.post(`/api/admin/v1/channels/${channel.id}/links`).send({ subId: 'spring', landingHeadline: '春季专享：先比价再借款', landingSubline: '三分钟看额度' }).expect(201);
      const visitor = request.agent(t.app);
      const page = await visitor.get(`/c/${channel.code}/spring?click_id=lp-9`).expect(200);
      expect(page.text).toContain('春季专享：先比价再借款');
      expect(page.text).toContain('三分钟看额度');
      expect(page.text).toContain('持牌');
      expect(page.text).toContain('不收取任何前期费用');
      expect(page.text).toContain(`action="/c/${channel.code}/spring"`);
      expect(page.text).toContain('name="agree"');
      const [touch] = await touchesOf(channel.id);
      expect(touch).toMatchObject({ subId: 'spring', clickId: 'lp-9', landingPath: `/c/${channel.code}/spring` });

      const csrf = csrfFrom(page.text);
      const phone = newPhone();
      const sent = await visitor.post(`/c/${channel.code}/spring/code`).type('form').send({ _csrf: csrf, phone });
      expect(sent.status).toBe(200);
      expect(sent.text).toContain('春季专享：先比价再借款');
      const code = await readCode(t.app, phone);
      // without the agreements ticked: the landing page again, with the reason
      const refused = await visitor.post(`/c/${channel.code}/spring`).type('form').send({ _csrf: csrf, phone, code, password: PASSWORD });
      expect(refused.status).toBe(400);
      expect(refused.text).toContain('春季专享：先比价再借款');
      const phone2 = newPhone();
      await visitor.post(`/c/${channel.code}/spring/code`).type('form').send({ _csrf: csrf, phone: phone2 }).expect(200);
      const done = await visitor.post(`/c/${channel.code}/spring`).type('form').send({ _csrf: csrf, phone: phone2, code: await readCode(t.app, phone2), password: PASSWORD, ...AGREED_FORM });
      expect(done.status).toBe(303);
      expect(done.headers.location).toBe('/');
      const me = await visitor.get('/api/v1/me').expect(200);
      expect(await attributionOf(me.body.account.id)).toMatchObject({ channelId: channel.id, subId: 'spring', clickId: 'lp-9' });
    });

    it('the bare link opens /c/<code>; unknown links go to /register, malformed ones are 404', async () => {
      const { channel } = await createChannel();
      await admin.post(`/api/admin/v1/channels/${channel.id}/links`).send({}).expect(201);
      const page = await request(t.app).get(`/c/${channel.code}`).expect(200);
      expect(page.text).toContain('贷款先比价，再申请');
      const unknown = await request(t.app).get(`/c/${channel.code}/nolink`);
      expect(unknown.status).toBe(302);
      expect(unknown.headers.location).toBe('/register');
      expect((await request(t.app).get('/c/BAD!')).status).toBe(404);
    });
  });

  describe('postbacks', () => {
    it('posts each conversion once, signed: the receiver verifies the HMAC and the body carries no personal data', async () => {
      const { channel, postbackSecret } = await createChannel({ postbackUrl: `${receiver.base}/ok` });
      expect(postbackSecret).toMatch(/^chsec_/);
      receiver.secrets.set('/ok', postbackSecret!);
      const visitor = request.agent(t.app);
      await visitor.get(`/?ch=${channel.code}&sub=pb&click_id=pb-click-1`).expect(200);
      const accountId = await registerAs(visitor);
      await visitor.post('/api/v1/identity').send({ realName: '王小明', idNumber: newIdNumber() }).expect(201);
      const application = await apply(visitor, t.fixtures.institutionA.productId);

      const { channels: service } = t.container.services;
      expect(await service.enqueuePostbacks()).toBe(3);
      expect(await service.enqueuePostbacks()).toBe(0);
      const run = await service.deliverPostbacks(20);
      expect(run).toEqual({ attempted: 3, delivered: 3, failed: 0 });
      expect(await service.enqueuePostbacks()).toBe(0);
      expect((await service.deliverPostbacks(20)).attempted).toBe(0);

      const got = receiver.at('/ok');
      expect(got).toHaveLength(3);
      expect(got.every((r) => r.valid)).toBe(true);
      expect(got.map((r) => r.body.event).sort()).toEqual(['application', 'registration', 'verified_registration']);
      for (const r of got) {
        expect(Object.keys(r.body).sort()).toEqual(['clickId', 'event', 'eventId', 'occurredAt', 'subId']);
        expect(r.body).toMatchObject({ clickId: 'pb-click-1', subId: 'pb' });
        expect(r.raw).not.toContain(accountId);
        expect(r.raw).not.toContain(application.id);
      }
      expect(new Set(got.map((r) => r.body.eventId)).size).toBe(3);
      // a tampered body or another secret does not verify
      expect(verifySignature('chsec_wrong', got[0]!.raw, undefined)).toBe(false);

      const log = await admin.get(`/api/admin/v1/channels/${channel.id}/postbacks`).expect(200);
      expect(log.body.postbacks).toHaveLength(3);
      expect(log.body.postbacks.every((p: { status: string; attempts: number; tries: { statusCode: number }[] }) => p.status === 'delivered' && p.attempts === 1 && p.tries[0]!.statusCode === 200)).toBe(true);
    });

    it('a failing receiver gets retries with backoff, each attempt in the log, until it answers 2xx', async () => {
      const { channel, postbackSecret } = await createChannel({ postbackUrl: `${receiver.base}/flaky` });
      receiver.secrets.set('/flaky', postbackSecret!);
      receiver.answers.set('/flaky', 500);
      const visitor = request.agent(t.app);
      await visitor.get(`/?ch=${channel.code}&click_id=retry-1`).expect(200);
      await registerAs(visitor);
      const { channels: service } = t.container.services;
      const start = Date.now();
      clock.set(new Date(start));
      try {
        expect(await service.enqueuePostbacks()).toBe(1);
        expect(await service.deliverPostbacks()).toEqual({ attempted: 1, delivered: 0, failed: 1 });
        let [entry] = await service.postbackLog(channel.id);
        expect(entry).toMatchObject({ status: 'pending', attempts: 1, lastStatusCode: 500, lastError: 'HTTP 500' });
        const firstDelay = entry!.nextAttemptAt.getTime() - start;
        expect(firstDelay).toBeGreaterThanOrEqual(27_000);
        expect(firstDelay).toBeLessThanOrEqual(33_000);
        // not due yet: nothing is sent
        clock.advance(20_000);
        expect((await service.deliverPostbacks()).attempted).toBe(0);
        clock.set(new Date(start + firstDelay));
        expect((await service.deliverPostbacks()).failed).toBe(1);
        [entry] = await service.postbackLog(channel.id);
        const secondDelay = entry!.nextAttemptAt.getTime() - (start + firstDelay);
        expect(secondDelay).toBeGreaterThanOrEqual(54_000);
        expect(secondDelay).toBeLessThanOrEqual(66_000);
        receiver.answers.set('/flaky', 204);
        clock.set(entry!.nextAttemptAt);
        expect(await service.deliverPostbacks()).toEqual({ attempted: 1, delivered: 1, failed: 0 });
      } finally {
        clock.release();
      }
      const got = receiver.at('/flaky');
      expect(got).toHaveLength(3);
      expect(got.every((r) => r.valid)).toBe(true);
      expect(new Set(got.map((r) => r.body.eventId)).size).toBe(1);

      const log = await admin.get(`/api/admin/v1/channels/${channel.id}/postbacks`).expect(200);
      expect(log.body.postbacks).toHaveLength(1);
      expect(log.body.postbacks[0]).toMatchObject({ event: 'registration', clickId: 'retry-1', status: 'delivered', attempts: 3, lastStatusCode: 204 });
      expect(log.body.postbacks[0].tries.map((x: { attempt: number; statusCode: number; error: string | null }) => [x.attempt, x.statusCode, x.error])).toEqual([
        [1, 500, 'HTTP 500'],
        [2, 500, 'HTTP 500'],
        [3, 204, null],
      ]);
      expect(log.body.postbacks[0].tries.every((x: { durationMs: number }) => x.durationMs >= 0)).toBe(true);
      const page = await admin.get(`/admin/channels/${channel.id}`).expect(200);
      expect(page.text).toContain('HTTP 500');
      expect(page.text).toContain('已送达');
    });

    it('gives up after the last attempt and records it as failed; an operator can retry it once more, 409 once delivered', async () => {
      const { channel, postbackSecret } = await createChannel({ postbackUrl: `${receiver.base}/down` });
      receiver.secrets.set('/down', postbackSecret!);
      receiver.answers.set('/down', 503);
      const visitor = request.agent(t.app);
      await visitor.get(`/?ch=${channel.code}`).expect(200);
      await registerAs(visitor);
      const { channels: service } = t.container.services;
      clock.set(new Date());
      try {
        await service.enqueuePostbacks();
        for (let i = 0; i < 8; i++) {
          expect((await service.deliverPostbacks()).attempted).toBe(1);
          clock.advance(7 * 3600_000);
        }
        expect((await service.deliverPostbacks()).attempted).toBe(0);
      } finally {
        clock.release();
      }
      const [entry] = await service.postbackLog(channel.id);
      expect(entry).toMatchObject({ status: 'failed', attempts: 8 });
      expect(entry!.tries).toHaveLength(8);
      expect(receiver.at('/down')).toHaveLength(8);
      expect((await admin.get(`/admin/channels/${channel.id}`).expect(200)).text).toContain('data-testid="retry-postback"');

      // an operator retries it once the channel's receiver is back: one more try, audited
      receiver.answers.set('/down', 200);
      const retried = await admin.post(`/api/admin/v1/channels/${channel.id}/postbacks/${entry!.id}/retry`).send({});
      expect(retried.status).toBe(200);
      expect(retried.body.postback).toMatchObject({ id: entry!.id, status: 'pending', attempts: 8 });
      expect(await service.deliverPostbacks()).toEqual({ attempted: 1, delivered: 1, failed: 0 });
      expect(receiver.at('/down')).toHaveLength(9);
      expect(receiver.at('/down').every((r) => r.valid && r.body.eventId === entry!.id)).toBe(true);
      const again = await admin.post(`/api/admin/v1/channels/${channel.id}/postbacks/${entry!.id}/retry`).send({});
      expect(again.status).toBe(409);
      expect(again.body.error.code).toBe('postback_delivered');
      expect((await admin.post(`/api/admin/v1/channels/${channel.id}/postbacks/cpb_nosuchpostback0000000/retry`).send({})).status).toBe(404);
      const other = await createChannel();
      expect((await admin.post(`/api/admin/v1/channels/${other.channel.id}/postbacks/${entry!.id}/retry`).send({})).status).toBe(404);
      const audits = await t.container.database.db.select().from(auditLog).where(and(eq(auditLog.action, 'channel.postback_retried'), eq(auditLog.objectId, channel.id)));
      expect(audits).toHaveLength(1);
    });
  });
});
