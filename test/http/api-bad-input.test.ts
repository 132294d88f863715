import { randomUUID } from 'node:crypto';
import type { Router } from 'express';
import type request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listRoutes } from '../../server/http/guards';
import { startTestApp, type TestApp } from '../support/app';
import { consumerAgent, staffAgent } from '../support/http';

type Agent = ReturnType<typeof request.agent>;

/** Bodies no endpoint accepts: nothing, and the wrong type in fields many endpoints have. */
const badBodies: unknown[] = [
  {},
  { amount: 'abc', status: 123, items: 'x', id: {}, date: '2026-02-30', reason: ['a'], page: -1 },
  [1, 2, 3],
];

/**
 * Every state-changing route of the three JSON APIs, called by someone allowed to call it, with
 * bodies it cannot accept and with ids that do not exist: a 4xx with the JSON error shape every
 * time, never a 5xx (an empty object may be carried out by an action that takes no input).
 * Logging out and closing the account are left out (they end the session).
 */
describe('every state-changing API route refuses bad input with a 4xx', () => {
  let t: TestApp;
  let agents: Record<string, Agent>;
  beforeAll(async () => {
    t = await startTestApp();
    agents = {
      '/api/v1': (await consumerAgent(t.app)).agent,
      '/api/partner/v1': await staffAgent(t.app, 'partner', t.fixtures.institutionA.staff),
      '/api/admin/v1': await staffAgent(t.app, 'admin', 'op.admin'),
    };
  });
  afterAll(() => t?.close());

  it('on the consumer, partner and admin APIs', { timeout: 180_000 }, async () => {
    const surfaces = t.app.locals.apiSurfaces as Record<string, Router & { stack: never }>;
    const failures: string[] = [];
    let calls = 0;
    for (const [mount, router] of Object.entries(surfaces)) {
      const routes = listRoutes(router).filter((r) => ['POST', 'PUT', 'PATCH', 'DELETE'].includes(r.method) && !/logout|\/close$/.test(r.path));
      expect(routes.length, mount).toBeGreaterThan(0);
      for (const route of routes) {
        const path = `${mount}${route.path.replace(/:(\w+)/g, (_m, name: string) => `${name}_does_not_exist`)}`;
        const send = (body: unknown, raw = false) => {
          const call = (agents[mount]! as unknown as Record<string, (p: string) => request.Test>)[route.method.toLowerCase()]!(path).set('Idempotency-Key', randomUUID());
          return raw ? call.set('Content-Type', 'application/json').send(body as string) : call.send(body as object);
        };
        for (const [label, res] of [
          ...(await Promise.all(badBodies.map(async (b) => [JSON.stringify(b), await send(b)] as const))),
          ['malformed JSON', await send('{"amount": ', true)] as const,
        ]) {
          calls++;
          // an action that takes no input may carry out an empty body; nothing else may be accepted
          const refused = res.status >= 400 && res.status < 500 && typeof res.body?.error?.code === 'string' && typeof res.body?.error?.message === 'string';
          const ok = refused || (label === '{}' && res.status < 300);
          if (!ok) failures.push(`${route.method} ${path} with ${label}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`);
        }
      }
    }
    expect(failures).toEqual([]);
    expect(calls).toBeGreaterThan(100);
  });
});
