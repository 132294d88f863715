import type { Router } from 'express';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listRoutes } from '../../server/http/guards';
import { z } from 'zod';
import { jsonSchemaOf, openApiPath } from '../../server/http/api/openapi';
import { answersJson, checkAnswer, guard, route, type ApiRoute } from '../../server/http/api/route-table';
import { apiSurfaces } from '../../server/http/api/surfaces';
import { startTestApp, type TestApp } from '../support/app';
import { accountResponse, applicationListResponse, applicationResponse, applyResponse, messageListResponse, productListResponse, productResponse, scheduleResponse } from '../../server/http/api/responses';
import { applicationInput, consumerAgent } from '../support/http';
import { randomUUID } from 'node:crypto';

/**
 * The OpenAPI document and the API routers are built from the same route tables; this walks the
 * routers as mounted (not the tables) so a route added by hand beside the tables is caught too.
 */
let t: TestApp;
beforeAll(async () => {
  t = await startTestApp();
});
afterAll(() => t?.close());

describe('the OpenAPI document', () => {
  it('describes every mounted API route (none missing, none extra)', async () => {
    const doc = (await request(t.app).get('/api/openapi.json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const mounted = Object.entries(t.app.locals.apiSurfaces as Record<string, Router & { stack: never }>).flatMap(([mount, router]) =>
      listRoutes(router).map((r) => `${r.method} ${openApiPath(mount, r.path)}`),
    );
    const documented = Object.entries(doc.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path}`));
    expect(mounted.length).toBeGreaterThan(80);
    expect(mounted.filter((r) => !documented.includes(r))).toEqual([]);
    expect(documented.filter((r) => !mounted.includes(r))).toEqual([]);
    for (const path of ['/api/v1/notifications/read', '/api/v1/me', '/api/v1/bank-card', '/api/v1/bank-card/reveal', '/api/v1/auth/logout', '/api/partner/v1/auth/logout', '/api/admin/v1/auth/logout']) {
      expect(doc.paths, path).toHaveProperty([path]);
    }
  });

  it('names each path parameter, its guard, its idempotency key and a schema for each JSON body', async () => {
    const doc = (await request(t.app).get('/api/openapi.json').expect(200)).body;
    const status = doc.paths['/api/partner/v1/leads/{id}/status'].post;
    expect(status.parameters.map((p: { name: string; in: string }) => `${p.in}:${p.name}`)).toEqual(['path:id', 'header:Idempotency-Key']);
    expect(status.security).toEqual([{ session: [] }, { partnerKey: [] }]);
    expect(status.requestBody.content['application/json'].schema.oneOf ?? status.requestBody.content['application/json'].schema.anyOf).toHaveLength(4);
    expect(Object.keys(status.responses)).toEqual(expect.arrayContaining(['200', '400', '401', '403', '404', '409']));
    const apply = doc.paths['/api/v1/applications'].post;
    expect(apply.parameters).toContainEqual(expect.objectContaining({ name: 'Idempotency-Key', required: true }));
    expect(doc.paths['/api/v1/products'].get.parameters.map((p: { name: string }) => p.name)).toContain('q');
    expect(doc.paths['/api/v1/products'].get.security).toBeUndefined();
  });
});

describe('the documented response schemas', () => {
  const jsonRoutes = apiSurfaces.flatMap((surface) => surface.routes.filter(answersJson).map((spec) => ({ surface, spec, name: `${spec.method.toUpperCase()} ${openApiPath(surface.mount, spec.path)}` })));

  it('every route that answers JSON declares its response schema', () => {
    expect(jsonRoutes.length).toBeGreaterThan(70);
    expect(jsonRoutes.filter(({ spec }) => !spec.response).map(({ name }) => name)).toEqual([]);
  });

  it('the document carries each JSON route’s response schema, for each success status', async () => {
    const doc = (await request(t.app).get('/api/openapi.json').expect(200)).body as { paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>> };
    for (const { surface, spec, name } of jsonRoutes) {
      const operation = doc.paths[openApiPath(surface.mount, spec.path)]![spec.method]!;
      for (const status of [spec.status ?? 200, ...Object.keys(spec.alsoAnswers ?? {}).map(Number)]) {
        expect(operation.responses[status]?.content?.['application/json']?.schema, `${name} ${status}`).toEqual(jsonSchemaOf(spec.response!));
      }
    }
  });

  it('under test an answer that does not match its schema, or carries a field it does not describe, is an error naming the route', () => {
    const spec: ApiRoute = route({ method: 'get', path: '/things/:id', guard: guard.public, summary: 'x', response: z.object({ id: z.string(), n: z.number().int() }), handler: () => undefined });
    const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(() => true); // the check also says it there
    expect(() => checkAnswer(spec, JSON.stringify({ id: 'a', n: 1 }))).not.toThrow();
    expect(() => checkAnswer(spec, JSON.stringify({ id: 'a', n: 1.5 }))).toThrow(/GET \/things\/:id: the answer does not match its response schema:[\s\S]*n/);
    expect(() => checkAnswer(spec, JSON.stringify({ id: 'a', n: 1, secret: 'x' }))).toThrow(/GET \/things\/:id: .*does not describe: \$\.secret/);
    expect(() => checkAnswer({ ...spec, response: undefined }, '{}')).toThrow(/GET \/things\/:id answers JSON but declares no response schema/);
    expect(stderr).toHaveBeenCalledTimes(3);
    stderr.mockRestore();
  });

  it('match what the main routes answer', async () => {
    const { agent } = await consumerAgent(t.app);
    const productId = t.fixtures.institutionA.productId;
    productListResponse.parse((await request(t.app).get('/api/v1/products').expect(200)).body);
    productResponse.parse((await request(t.app).get(`/api/v1/products/${productId}`).expect(200)).body);
    scheduleResponse.parse((await request(t.app).get('/api/v1/calculator?principal=10000&annualRate=0.12&termMonths=12&method=equal_installment').expect(200)).body);
    accountResponse.parse((await agent.get('/api/v1/me').expect(200)).body);
    const applied = applyResponse.parse(
      (await agent.post('/api/v1/applications').set('Idempotency-Key', randomUUID()).send(applicationInput(productId, t.fixtures.institutionA.id)).expect(201)).body,
    );
    const id = applied.applications[0]!.id;
    expect(applicationListResponse.parse((await agent.get('/api/v1/applications').expect(200)).body).items.map((a) => a.id)).toContain(id);
    expect(applicationResponse.parse((await agent.get(`/api/v1/applications/${id}`).expect(200)).body).timeline).toBeDefined();
    messageListResponse.parse((await agent.get(`/api/v1/applications/${id}/messages`).expect(200)).body);
    // no other test calls it: the answer is checked against its schema on the way out
    const preview = await request(t.app).get(`/api/v1/applications/consent-preview?products=${productId}`).expect(200);
    expect(preview.body.consents[0]).toMatchObject({ institutionId: t.fixtures.institutionA.id, fieldLabels: expect.any(Array) });
  });
});

describe('path parameters are validated', () => {
  it('a malformed id is a 400 naming the parameter; a well-formed unknown one stays a 404', async () => {
    const { agent } = await consumerAgent(t.app);
    const malformed = await agent.get(`/api/v1/applications/${'x'.repeat(65)}`);
    expect(malformed.status).toBe(400);
    expect(malformed.body.error.code).toBe('validation_failed');
    expect(malformed.body.error.fields).toHaveProperty('id');
    const odd = await request(t.app).get('/api/v1/products/%E4%BA%A7%E5%93%81');
    expect(odd.status).toBe(400);
    expect(odd.body.error.fields).toHaveProperty('id');
    expect((await agent.get('/api/v1/applications/app_does_not_exist')).status).toBe(404);
    expect((await request(t.app).get('/api/v1/products/prd_does_not_exist')).status).toBe(404);
    expect((await request(t.app).get('/api/v1/guides/no-such-guide')).status).toBe(404);
  });
});
