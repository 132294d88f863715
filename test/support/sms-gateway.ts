import http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A local stand-in for an SMS gateway (JSON POST, as HttpGatewayProvider sends): keeps what it received, as the phones would. */
export async function startFakeSmsGateway() {
  const received: { id: string; channel: string; to: string; body: string; signature: string }[] = [];
  const server = http.createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => (raw += c.toString()));
    req.on('end', () => {
      received.push({ ...(JSON.parse(raw) as { id: string; channel: string; to: string; body: string }), signature: String(req.headers['x-signature'] ?? '') });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    env: { SMS_GATEWAY_URL: `http://127.0.0.1:${port}/sms`, SMS_GATEWAY_SECRET: 'gateway-test-secret' },
    received,
    /** the last SMS the gateway took for a number */
    lastTo: (to: string) => received.filter((m) => m.to === to).at(-1),
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
