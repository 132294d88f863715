import { createHmac } from 'node:crypto';
import type { MessageProviderName } from './labels';

export interface OutgoingMessage {
  id: string;
  channel: 'sms' | 'email';
  to: string;
  body: string;
}

/** Where SMS and e-mail go. The outbox provider keeps them in the outbox table only. */
export interface MessageProvider {
  /** shown in the outbox through its label (labels.ts) */
  readonly name: MessageProviderName;
  /**
   * true when the outbox row is the only delivery (development, no gateway): bodies are stored
   * whole so people read their codes at /admin/outbox. A real gateway is false: secrets in a
   * body are masked before it is stored.
   */
  readonly outboxOnly: boolean;
  deliver(message: OutgoingMessage): Promise<void>;
}

export class OutboxProvider implements MessageProvider {
  readonly name = 'outbox';
  readonly outboxOnly = true;
  async deliver(): Promise<void> {
    /* the outbox row is the delivery: visible at /admin/outbox */
  }
}

/**
 * A real gateway reached over HTTPS: POSTs `{ id, channel, to, body }` as JSON with an
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
