import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeIntent {
  id: string;
  object: 'payment_intent';
  status: string;
  amount: number;
  amount_received: number;
  currency: string;
  created: number;
  metadata: Record<string, string>;
}

/**
 * A small local stand-in for the few Stripe endpoints the platform calls (Checkout Sessions,
 * listing PaymentIntents), so tests run the real `stripe` SDK against it.
 */
export async function startFakeStripe() {
  const sessions: { idempotencyKey: string | undefined; params: Record<string, string>; id: string }[] = [];
  const intents: FakeIntent[] = [];
  const byKey = new Map<string, unknown>();
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://local');
      const send = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json', 'request-id': `req_${sessions.length}` });
        res.end(JSON.stringify(body));
      };
      if (req.headers.authorization !== 'Bearer sk_test_local') return send(401, { error: { type: 'invalid_request_error', message: 'bad key' } });
      if (req.method === 'POST' && url.pathname === '/v1/checkout/sessions') {
        const key = req.headers['idempotency-key'] as string | undefined;
        if (key && byKey.has(key)) return send(200, byKey.get(key));
        const params = Object.fromEntries(new URLSearchParams(raw));
        const id = `cs_test_${sessions.length + 1}`;
        sessions.push({ idempotencyKey: key, params, id });
        const body = { id, object: 'checkout.session', url: `${base}/pay/${id}`, mode: 'payment', amount_total: Number(params['line_items[0][price_data][unit_amount]']), currency: 'cny' };
        if (key) byKey.set(key, body);
        return send(200, body);
      }
      if (req.method === 'GET' && url.pathname === '/v1/payment_intents') {
        const gte = Number(url.searchParams.get('created[gte]') ?? 0);
        return send(200, { object: 'list', url: '/v1/payment_intents', has_more: false, data: intents.filter((i) => i.created >= gte) });
      }
      send(404, { error: { type: 'invalid_request_error', message: `no route ${req.method} ${url.pathname}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { base, sessions, intents, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

export const STRIPE_TEST_ENV = (base: string) => ({ STRIPE_SECRET_KEY: 'sk_test_local', STRIPE_WEBHOOK_SECRET: 'whsec_test_local', STRIPE_API_HOST: base });

/** A PaymentIntent event body as Stripe sends it. */
export function intentEvent(id: string, type: string, intent: FakeIntent): string {
  return JSON.stringify({ id, object: 'event', type, api_version: '2025-01-01', created: Math.floor(Date.now() / 1000), data: { object: intent }, livemode: false, pending_webhooks: 1, request: null });
}
