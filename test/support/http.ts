import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { PASSWORD } from './fixtures';

let phoneCounter = 0;
/** A fresh, valid mainland mobile number. */
export function newPhone(): string {
  phoneCounter += 1;
  return `139${String(process.pid % 10000).padStart(4, '0')}${String(phoneCounter).padStart(4, '0')}`;
}

/** A consumer registered and logged in through the API, as a cookie-keeping agent. */
export async function consumerAgent(app: Express) {
  const agent = request.agent(app);
  const phone = newPhone();
  const res = await agent.post('/api/v1/auth/register').send({ phone, password: PASSWORD });
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
