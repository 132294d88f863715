import request from 'supertest';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outboxMessages } from '../../server/modules/notifications/notifications.schema';
import { startTestApp, type TestApp } from '../support/app';
import { PASSWORD } from '../support/fixtures';
import { newPhone, staffAgent, AGREED } from '../support/http';
import { startFakeSmsGateway } from '../support/sms-gateway';

/**
 * With a real SMS gateway configured, the outbox is a record, not the delivery: a one-time code
 * (or an activation link's token) goes to the gateway in full and is never stored in clear.
 */
describe('the outbox with a real SMS gateway', () => {
  let t: TestApp;
  let gateway: Awaited<ReturnType<typeof startFakeSmsGateway>>;

  beforeAll(async () => {
    gateway = await startFakeSmsGateway();
    t = await startTestApp({ env: gateway.env });
  }, 120_000);
  afterAll(async () => {
    await t?.close();
    await gateway?.close();
  });

  it('hands the code to the gateway and keeps it masked in the outbox', async () => {
    const phone = newPhone();
    await request(t.app).post('/api/v1/auth/sms-code').send({ phone, purpose: 'register' }).expect(202);
    const delivered = gateway.lastTo(phone)!;
    const code = /验证码 (\d{6})/.exec(delivered.body)![1]!;
    expect(delivered.signature).toMatch(/^t=\d+,v1=[0-9a-f]{64}$/);

    const stored = await t.container.services.notifications.lastSmsTo(phone);
    expect(stored).toMatchObject({ provider: 'http-gateway', status: 'sent', template: 'otp.register' });
    expect(stored!.body).toBe(delivered.body.replace(code, '******'));
    expect(JSON.stringify(await t.container.database.db.select().from(outboxMessages).where(eq(outboxMessages.id, stored!.id)))).not.toContain(code);
    const operator = await staffAgent(t.app, 'admin', t.fixtures.operator);
    expect((await operator.get('/admin/outbox').expect(200)).text).not.toContain(code);

    // the code the phone received works
    await request(t.app).post('/api/v1/auth/register').send({ phone, code, password: PASSWORD, agreements: AGREED }).expect(201);
  });

  it('masks every secret it is told about, and only those', async () => {
    const { notifications } = t.container.services;
    const token = 'tok_Zx9-kq2P7w';
    const id = await notifications.sendSms('13700002222', 'onboarding_approved', `【贷超】请激活：https://example.test/partner/invite/${token}`, { secrets: [token] });
    expect(gateway.lastTo('13700002222')!.body).toContain(token);
    const [row] = await t.container.database.db.select().from(outboxMessages).where(eq(outboxMessages.id, id));
    expect(row!.body).toBe('【贷超】请激活：https://example.test/partner/invite/******');
    // a secret is never parked in the outbox for later
    await expect(notifications.sendSms('13700002222', 'otp.register', '验证码 123456', { secrets: ['123456'], sendAfter: new Date(Date.now() + 3600_000) })).rejects.toThrow('never held');
  });
});
