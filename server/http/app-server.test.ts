import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { describe, expect, it } from 'vitest';
import { createAppServer, listenWithAppServer } from './app-server';

/** The app's server: requests and responses born with express's prototypes, so its per-request prototype change is a no-op. */
describe('createAppServer', () => {
  function app() {
    const a = express();
    a.get('/hello', (req, res) => {
      res.status(201).json({ ua: req.get('user-agent'), q: req.query.q, secure: req.secure });
    });
    return a;
  }

  it('hands express a request and a response that already have its prototypes, and express works on them as usual', async () => {
    const a = app();
    const server = createAppServer(a);
    const born: boolean[] = [];
    // before the app's own listener, so before express sets anything
    server.prependListener('request', (req, res) => born.push(Object.getPrototypeOf(req) === a.request && Object.getPrototypeOf(res) === a.response));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hello`;
      for (let i = 0; i < 3; i++) {
        const res = await fetch(`${url}?q=${i}`, { headers: { 'user-agent': 'probe/1' } });
        expect(res.status).toBe(201);
        expect(await res.json()).toEqual({ ua: 'probe/1', q: String(i), secure: false });
      }
      expect(born).toEqual([true, true, true]);
    } finally {
      server.close();
    }
  });

  it('app.listen uses it, and its callback hears a failure to listen once, as express’s does', async () => {
    const a = app();
    listenWithAppServer(a);
    const first = await new Promise<ReturnType<typeof a.listen>>((resolve, reject) => {
      const s = a.listen(0, '127.0.0.1', (err?: Error) => (err ? reject(err) : resolve(s)));
    });
    try {
      const port = (first.address() as AddressInfo).port;
      const res = await fetch(`http://127.0.0.1:${port}/hello`);
      expect(res.status).toBe(201);
      const calls: (Error | undefined)[] = [];
      const second = a.listen(port, '127.0.0.1', (err?: Error) => calls.push(err));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(calls).toHaveLength(1);
      expect((calls[0] as NodeJS.ErrnoException | undefined)?.code).toBe('EADDRINUSE');
      second.close();
    } finally {
      first.close();
    }
  });
});
