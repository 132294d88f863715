import { createHmac } from 'node:crypto';
import type { MessageProvider, OutgoingMessage } from '../../modules/notifications';

/**
 * A real SMS gateway reached over HTTPS: POSTs `{ id, channel, to, body }` as JSON with an
 * `X-Signature: t=<unix>,v1=<hmac-sha256(secret, "<t>.<body>")>` header; any 2xx is delivered.
 */
export class HttpGatewayProvider implements MessageProvider {
  readonly name = 'http-gateway';
  readonly outboxOnly = false;
  constructor(
    private readonly url: string,
    private readonly secret: string,
  ) {}
  async deliver(message: OutgoingMessage): Promise<void> {
    const payload = JSON.stringify(message);
    const t = Math.floor(Date.now() / 1000);
    const signature = createHmac('sha256', this.secret).update(`${t}.${payload}`).digest('hex');
    const res = await fetch(this.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-signature': `t=${t},v1=${signature}` },
      body: payload,
      signal: AbortSignal.timeout(5000),
    });
    if (!res.ok) throw new Error(`gateway answered ${res.status}`);
  }
}
