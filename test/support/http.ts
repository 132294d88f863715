import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { Express } from 'express';
import { PASSWORD } from './fixtures';
import { containerOf } from './app';
import { idCheckCharacter } from '../../server/modules/identity';

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

/** The 用户协议 and 隐私政策 versions of a fresh database, as sent when registering. */
export const AGREED = { userAgreement: 1, privacyPolicy: 1 } as const;
/** The same agreed on the register form. */
export const AGREED_FORM = { agree: 'yes', userAgreementVersion: '1', privacyPolicyVersion: '1' } as const;

/** Registers through the API (SMS code + password, the agreements in force agreed) with the given agent. */
export async function register(agent: ReturnType<typeof request.agent>, app: Express, phone = newPhone(), extra: Record<string, unknown> = {}) {
  const code = await smsCode(app, phone);
  return agent.post('/api/v1/auth/register').send({ phone, code, password: PASSWORD, agreements: AGREED, ...extra });
}

let idCounter = 0;
/** A fresh, checksum-valid resident ID number of an adult born in the 1980s–90s. */
export function newIdNumber(): string {
  idCounter += 1;
  const birth = new Date(Date.UTC(1985, 0, 1) + ((idCounter * 37 + (process.pid % 97)) % 3650) * 86_400_000);
  const first17 = `110101${birth.toISOString().slice(0, 10).replaceAll('-', '')}${String(idCounter % 1000).padStart(3, '0')}`;
  return first17 + idCheckCharacter(first17);
}

/**
 * A consumer registered, logged in and real-name verified through the API, as a
 * cookie-keeping agent; `verified: false` stops before verification.
 */
export async function consumerAgent(app: Express, options: { verified?: boolean; realName?: string } = {}) {
  const agent = request.agent(app);
  const phone = newPhone();
  const res = await register(agent, app, phone);
  if (res.status !== 201) throw new Error(`register failed: ${res.status} ${JSON.stringify(res.body)}`);
  const idNumber = newIdNumber();
  if (options.verified !== false) {
    const v = await agent.post('/api/v1/identity').send({ realName: options.realName ?? '王小明', idNumber });
    if (v.status !== 201) throw new Error(`verify failed: ${v.status} ${JSON.stringify(v.body)}`);
  }
  return { agent, phone, idNumber, id: res.body.account.id as string };
}

export async function staffAgent(app: Express, surface: 'partner' | 'admin' | 'channel', username: string) {
  const agent = request.agent(app);
  const res = await agent.post(`/api/${surface}/v1/auth/login`).send({ username, password: PASSWORD });
  if (res.status !== 200) throw new Error(`login failed: ${res.status} ${JSON.stringify(res.body)}`);
  return agent;
}

export const ALL_FIELDS = ['realName', 'phone', 'idNumber', 'age', 'city', 'employment', 'monthlyIncome', 'housing', 'monthlyDebt', 'creditSelfAssessment', 'loanRequest', 'documents'];

/** The body of one application to one product, with consent to that product's institution. */
export const applicationInput = (productId: string, institutionId: string, extra: Record<string, unknown> = {}) => ({
  products: [{ productId, amount: 50000, termMonths: 12 }],
  purpose: '装修',
  consents: [{ institutionId, fields: ALL_FIELDS }],
  ...extra,
});

async function institutionOf(agent: ReturnType<typeof request.agent>, productId: string): Promise<string> {
  const res = await agent.get(`/api/v1/products/${productId}`);
  if (res.status !== 200) throw new Error(`no product ${productId}`);
  return res.body.institution.id as string;
}

/** Applies to one product, consenting to its institution; returns the created application. */
export async function apply(agent: ReturnType<typeof request.agent>, productId: string, key = randomUUID()) {
  const body = applicationInput(productId, await institutionOf(agent, productId));
  const res = await agent.post('/api/v1/applications').set('Idempotency-Key', key).send(body);
  if (res.status !== 201) throw new Error(`apply failed: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.applications[0] as { id: string; status: string };
}

/** The CSRF token of a page's form, and the agent that holds its session. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error('no CSRF token in page');
  return m[1]!;
}

/** The 待办 tiles of a back-office home page (`/partner` or `/admin`): key → figure, detail, link, whether it is red. */
export async function agendaTiles(agent: ReturnType<typeof request.agent>, path: string) {
  const html = (await agent.get(path).expect(200)).text;
  const found = [
    ...html.matchAll(
      /<a class="card tile( tile-bad)?" href="([^"]+)" data-agenda="(\w+)">[\s\S]*?<strong class="tile-figure">([^<]*)<\/strong>\s*<span class="small muted">([^<]*)<\/span>/g,
    ),
  ];
  return Object.fromEntries(found.map((m) => [m[3]!, { alert: Boolean(m[1]), href: m[2]!.replaceAll('&#x3D;', '='), figure: m[4]!, detail: m[5]! }]));
}
