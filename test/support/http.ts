import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { PASSWORD } from './fixtures';
import { containerOf } from './app';

let phoneCounter = 0;
/** A fresh, valid mainland mobile number. */
export function newPhone(): string {
  phoneCounter += 1;
  return `139${String(process.pid % 10000).padStart(4, '0')}${String(phoneCounter).padStart(4, '0')}`;
}

/** Asks for an SMS code and reads it from the outbox, as the person would from their phone. */
export async function smsCode(app: Express, phone: string, purpose: 'register' | 'reset_password' = 'register'): Promise<string> {
  await request(app).post('/api/v1/auth/sms-code').send({ phone, purpose }).expect(202);
  return readCode(app, phone);
}

export async function readCode(app: Express, phone: string): Promise<string> {
  const container = containerOf.get(app);
  if (!container) throw new Error('app was not started by startTestApp');
  const sms = await container.services.notifications.lastSmsTo(phone);
  const code = /验证码 (\d{6})/.exec(sms?.body ?? '')?.[1];
  if (!code) throw new Error(`no code sent to ${phone}`);
  return code;
}

/** Registers through the API (SMS code + password) with the given agent. */
export async function register(agent: ReturnType<typeof request.agent>, app: Express, phone = newPhone(), extra: Record<string, unknown> = {}) {
  const code = await smsCode(app, phone);
  return agent.post('/api/v1/auth/register').send({ phone, code, password: PASSWORD, ...extra });
}

/** A consumer registered and logged in through the API, as a cookie-keeping agent. */
export async function consumerAgent(app: Express) {
  const agent = request.agent(app);
  const phone = newPhone();
  const res = await register(agent, app, phone);
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  return { agent, phone, id: res.body.account.id as string };
}

export async function staffAgent(app: Express, surface: 'partner' | 'admin', username: string) {
  const agent = request.agent(app);
  const res = await agent.post(`/api/${surface}/v1/auth/login`).send({ username, password: PASSWORD });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return agent;
}

export const applicationInput = (productId: string, extra: Record<string, unknown> = {}) => ({
  productId,
  amount: 50000,
  termMonths: 12,
  purpose: '装修',
  applicantName: '王小明',
  city: '上海',
  ...extra,
});

export async function apply(agent: ReturnType<typeof request.agent>, productId: string, key = randomUUID()) {
  const res = await agent.post('/api/v1/applications').set('Idempotency-Key', key).send(applicationInput(productId));
  if (res.status !== 201) throw new Error(`apply failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as { id: string; status: string };
}

/** The CSRF token of a page's form, and the agent that holds its session. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in page');
  return m[1]!;
}
