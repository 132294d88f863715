import { randomBytes } from 'node:crypto';
import request from 'supertest';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp } from '../support/app';
import { newPhone, register } from '../support/http';

const redisUrl = process.env.TEST_REDIS_URL;

/** Sessions and rate limits shared through a real Redis (CI sets TEST_REDIS_URL). */
describe.runIf(redisUrl)('on Redis', () => {
  let one: TestApp;
  let two: TestApp;
  const secret = randomBytes(32).toString('hex');
  const prefix = `dc-test-${randomBytes(4).toString('hex')}:`;
  beforeAll(async () => {
    // two app instances sharing one Redis and one session secret, like two web processes
    one = await startTestApp({ redisUrl, env: { SESSION_SECRET: secret, LOGIN_RATE_LIMIT: '4', REDIS_PREFIX: prefix } });
    two = await startTestApp({ redisUrl, env: { SESSION_SECRET: secret, LOGIN_RATE_LIMIT: '4', REDIS_PREFIX: prefix } });
  });
  afterAll(async () => {
    await one?.close();
    await two?.close();
  });

  it('keeps sessions in Redis', async () => {
    expect(one.container.shared.mode).toBe('redis');
    const phone = newPhone();
    const res = await register(request.agent(one.app), one.app, phone);
    expect(res.status).toBe(201);
    const cookie = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('dc.sid='))!.split(';')[0]!;
    const sid = decodeURIComponent(cookie.slice('dc.sid='.length)).replace(/^s:/, '').split('.')[0]!;
    const client = createClient({ url: redisUrl });
    await client.connect();
    const stored = await client.get(`${prefix}sess:${sid}`);
    await client.quit();
    expect(stored).toContain('"consumer"');
    await request(one.app).get('/api/v1/me').set('Cookie', cookie).expect(200);
  });

  it('counts login attempts across instances', async () => {
    const phone = newPhone();
    const codes = [];
    for (const app of [one.app, two.app, one.app, two.app, one.app]) {
      codes.push((await request(app).post('/api/v1/auth/login').send({ phone, password: 'Wrong12345' })).status);
    }
    expect(codes).toEqual([401, 401, 401, 401, 429]);
  });
});
