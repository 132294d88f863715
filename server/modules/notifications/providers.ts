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
