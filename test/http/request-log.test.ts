import pino from 'pino';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';

/** One line per answered request: who asked what path and the status, never a query string, cookie or body. */
describe('request log', () => {
  let t: TestApp;
  const lines: Record<string, unknown>[] = [];
  /** the line logged for the answer with this X-Request-Id */
  const lineOf = (id: string | undefined) => lines.find((l) => (l.req as { id?: string } | undefined)?.id === id);
  beforeAll(async () => {
    const logger = pino({ level: 'info' }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    t = await startTestApp({ logger });
  });
  afterAll(() => t?.close());

  it('logs the method, path, status and request id of an answer, without its query string or headers', async () => {
    const res = await request(t.app).get('/api/v1/products?q=张三13800138000&pageSize=5').set('Cookie', 'dc_vid=0b5e4c2a-7d1f-4e8b-9a3c-5f6d7e8f9a0b').expect(200);
    const line = lineOf(res.headers['x-request-id']);
    expect(line).toBeDefined();
    expect(line!.req).toEqual({ id: res.headers['x-request-id'], method: 'GET', path: '/api/v1/products' });
    expect(line!.res).toEqual({ statusCode: 200 });
    expect(typeof line!.responseTime).toBe('number');
    const text = JSON.stringify(line);
    for (const secret of ['13800138000', '张三', 'dc_vid', 'pageSize']) expect(text).not.toContain(secret);
  });

  it('logs a refused request with its status, and no line for /healthz', async () => {
    const refused = await request(t.app).get('/api/v1/products?aprMax=abc').expect(400);
    const line = lineOf(refused.headers['x-request-id']);
    expect(line?.res).toEqual({ statusCode: 400 });
    const health = await request(t.app).get('/healthz').expect(200);
    expect(lineOf(health.headers['x-request-id'])).toBeUndefined();
  });
});
