import { sql } from 'drizzle-orm';
import type request from 'supertest';
import { queryRows } from '../../server/db/client';
import type { TestApp } from './app';

/** The 6-digit code in the newest SMS to this phone (the signing code the offer flow sent). */
async function lastCode(t: TestApp, phone: string): Promise<string> {
  const sms = await t.container.services.notifications.lastSmsTo(phone);
  const code = /验证码 (\d{6})/.exec(sms?.body ?? '')?.[1];
  if (!code) throw new Error(`no SMS code sent to ${phone}`);
  return code;
}

let codesAsked = 0;

/**
 * The borrower accepts an approval's offer the way they would: asks for the SMS code, reads it from
 * the outbox and signs. Over the API when an agent is given, else through the service.
 */
export async function acceptOffer(t: TestApp, applicationId: string, agent?: ReturnType<typeof request.agent>): Promise<void> {
  const { offers, accounts } = t.container.services;
  const [row] = await queryRows<{ consumer_id: string }>(t.container.database.db, sql`select consumer_id from applications where id = ${applicationId}`);
  if (!row) throw new Error(`no application ${applicationId}`);
  const consumerId = row.consumer_id;
  const phone = await accounts.phoneOf(consumerId);
  if (agent) {
    await agent.post(`/api/v1/offers/${applicationId}/code`).send({}).expect(200);
    await agent.post(`/api/v1/offers/${applicationId}/accept`).set('Idempotency-Key', `accept-${applicationId}`).send({ code: await lastCode(t, phone) }).expect(200);
    return;
  }
  // one code a minute per number: each acceptance in a test asks as if a minute after the last
  await accounts.requestCode(phone, 'sign', new Date(Date.now() + ++codesAsked * 61_000));
  await offers.accept(consumerId, applicationId, await lastCode(t, phone), { actor: { kind: 'consumer', id: consumerId }, device: 'test-device', visitor: 'test-visitor', door: 'web' });
}

export { lastCode };
