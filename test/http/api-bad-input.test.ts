import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoutes } from '../../server/http/guards';
import {
  conflictCodes,
  forbiddenCodes,
  notFoundCodes,
  payloadTooLargeCodes,
  rateLimitedCodes,
  unauthenticatedCodes,
  unsupportedMediaTypeCodes,
  validationCodes,
  type ErrorCode,
} from '../../server/lib/errors';
import { startTestApp, type TestApp } from '../support/app';
import { DEEP_JSON, jsonObject, oddValues, refusedValues } from '../support/hostile';
import { consumerAgent, staffAgent } from '../support/http';
import { PASSWORD } from '../support/fixtures';
import { channels } from '../../server/modules/channels';

type Agent = ReturnType<typeof request.agent>;

/** Bodies no endpoint accepts: nothing, and the wrong type in fields many endpoints have. */
const badBodies: unknown[] = [
  {},
  { amount: 'abc', status: 123, items: 'x', id: {}, date: '2026-02-30', reason: ['a'], page: -1 },
  [1, 2, 3],
];

/** The status each refusal of these calls must answer: its class's, exactly. */
const statusOf = new Map<ErrorCode, number>([
  ...validationCodes.map((code) => [code, 400] as const),
  ...unauthenticatedCodes.map((code) => [code, 401] as const),
  ...forbiddenCodes.map((code) => [code, 403] as const),
  ...notFoundCodes.map((code) => [code, 404] as const),
  ...conflictCodes.map((code) => [code, 409] as const),
  ...payloadTooLargeCodes.map((code) => [code, 413] as const),
  ...unsupportedMediaTypeCodes.map((code) => [code, 415] as const),
  ...rateLimitedCodes.map((code) => [code, 429] as const),
]);

/**
 * Every state-changing route of the three JSON APIs (from the routers themselves, so a new route
 * is covered the day it is added), called by someone allowed to call it, with bodies it cannot
 * accept and with ids that do not exist: the exact status with the JSON error shape every time,
 * never a 5xx. Malformed JSON is 400 invalid_json; a wrong body 400 validation_failed; an id
 * that does not exist 404 not_found; an empty object may be carried out by an action that takes
 * no input, or refused as a conflict with the current state (409).
 * Logging out and closing the account are left out (they end the session).
 */
/** A channel partner's admin, signed in to the channel API (a channel row and its account made directly). */
async function channelStaffAgent(t: TestApp): Promise<Agent> {
  await t.container.database.db.insert(channels).values({ id: 'chn_input', code: 'input01', name: '输入测试渠道', type: 'sms' });
  await t.container.services.accounts.createStaff({ kind: 'channel', username: 'ch.input', password: PASSWORD, displayName: '渠道', role: 'channel_admin', channelId: 'chn_input' });
  return staffAgent(t.app, 'channel', 'ch.input');
}

describe('every state-changing API route refuses bad input with a 4xx', () => {
  let t: TestApp;
  let agents: Record<string, Agent>;
  beforeAll(async () => {
    t = await startTestApp();
    agents = {
      '/api/v1': (await consumerAgent(t.app)).agent,
      '/api/partner/v1': await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff),
      '/api/admin/v1': await staffAgent(t.app, 'admin', 'op.admin'),
      '/api/channel/v1': await channelStaffAgent(t),
    };
  });
  afterAll(() => t?.close());

  const writeRoutes = () =>
    Object.entries(t.app.locals.apiSurfaces as Record<string, Router & { stack: never }>).flatMap(([mount, router]) => {
      const routes = listRoutes(router).filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && !/logout|\/close$/.test(r.path));
      expect(routes.length, mount).toBeGreaterThan(0);
      return routes.map((route) => ({ mount, method: route.method, path: route.path }));
    });
  const call = (mount: string, method: string, path: string) =>
    (agents[mount]! as unknown as Record<string, (p: string) => request.Test>)[method.toLowerCase()]!(path).set('Idempotency-Key', randomUUID());
  const isErrorShape = (res: request.Response) => typeof res.body?.error?.code === 'string' && typeof res.body?.error?.message === 'string';

  it('on the consumer, partner and admin APIs', { timeout: 180_000 }, async () => {
    const failures: string[] = [];
    let calls = 0;
    for (const { mount, method, path: routePath } of writeRoutes()) {
      const path = `${mount}${routePath.replace(/:(\w+)/g, (_m, name: string) => `${name}_does_not_exist`)}`;
      const send = (body: unknown, raw = false) => {
        const req = call(mount, method, path);
        return raw ? req.set('Content-Type', 'application/json').send(body as string) : req.send(body as object);
      };
      for (const [label, res] of [
        ...(await Promise.all(badBodies.map(async (b) => [JSON.stringify(b), await send(b)] as const))),
        ['malformed JSON', await send('{"amount": ', true)] as const,
      ]) {
        calls++;
        // an action that takes no input may carry out an empty body (or find nothing to do: 409); nothing else may be accepted
        const code = res.body?.error?.code as ErrorCode;
        const expected = label === 'malformed JSON' ? code === 'invalid_json' : code === 'validation_failed' || code === 'not_found' || (label === '{}' && statusOf.get(code) === 409);
        const refused = isErrorShape(res) && expected && res.status === statusOf.get(code);
        const ok = refused || (label === '{}' && res.status < 300);
        if (!ok) failures.push(`${method} ${path} with ${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(100);
  });

  /**
   * The fields a route reads are the ones its answer to an empty body names; each of them gets a
   * NUL byte, a lone surrogate, 10,000-deep nesting, huge numbers and the wrong types, and the
   * id in the path a NUL byte. NUL, surrogates and nesting are refused at the edge: exactly 400
   * naming the field. The rest: any answer but a 5xx, and a refusal in the JSON error shape with
   * the exact status of its code's class.
   */
  it('with NUL bytes, lone surrogates, deep nesting, huge numbers and wrong types in the fields each route reads', { timeout: 180_000 }, async () => {
    const failures: string[] = [];
    let calls = 0;
    for (const { mount, method, path: routePath } of writeRoutes()) {
      const path = `${mount}${routePath.replace(/:(\w+)/g, (_m, name: string) => `${name}_does_not_exist`)}`;
      const send = (text: string, to = path) => call(mount, method, to).set('Content-Type', 'application/json').send(text);
      const named = Object.keys((await send('{}')).body?.error?.fields ?? {}).filter((f) => /^[A-Za-z]\w*$/.test(f));
      const fields = named.length ? named : ['note'];
      const cases: [string, Promise<request.Response>, string | undefined][] = [
        ...Object.entries(refusedValues).map(([label, v]) => [label, send(jsonObject(fields, v)), fields[0]] as [string, Promise<request.Response>, string]),
        ['10,000-deep nesting', send(jsonObject(fields.slice(0, 1), DEEP_JSON)), fields[0]],
        ['a NUL byte in the query', send('{}', `${path}?q=a%00b`), 'q'],
        ...(routePath.includes(':') ? [['a NUL byte in the path', send('{}', `${mount}${routePath.replace(/:(\w+)/g, 'a%00b')}`), 'path'] as [string, Promise<request.Response>, string]] : []),
        ...Object.entries(oddValues).map(([label, v]) => [label, send(jsonObject(fields, v)), undefined] as [string, Promise<request.Response>, undefined]),
      ];
      for (const [label, pending, field] of cases) {
        const res = await pending;
        calls++;
        const ok = field
          ? res.status === 400 && res.body?.error?.code === 'validation_failed' && typeof res.body.error.fields?.[field] === 'string'
          : res.status < 400 || (isErrorShape(res) && res.status === statusOf.get(res.body.error.code as ErrorCode));
        if (!ok) failures.push(`${method} ${path} with ${label} in ${fields.join(',')}: ${res.status} ${JSON.stringify(res.body).slice(0, 200)}`);
      }
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(400);
  });
});
