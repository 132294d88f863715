import Stripe from 'stripe';
import type { PaymentEvent, PaymentGateway, PaymentIntentInfo } from '../../modules/settlement';

export interface StripeSettings {
  secretKey: string;
  webhookSecret?: string;
  /** "api.stripe.com" (default) or a full origin such as "http://127.0.0.1:12111" (tests, stripe-mock) */
  apiHost?: string;
}

/** Signed events older than this are refused (a replayed delivery). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

function connection(apiHost: string | undefined): { host?: string; port?: number; protocol?: 'http' | 'https' } {
  if (!apiHost) return {};
  if (!/^https?:\/\//.test(apiHost)) return { host: apiHost };
  const url = new URL(apiHost);
  const protocol = url.protocol === 'http:' ? 'http' : 'https';
  return { host: url.hostname, port: url.port ? Number(url.port) : protocol === 'http' ? 80 : 443, protocol };
}

function intentInfo(pi: Stripe.PaymentIntent): PaymentIntentInfo {
  return {
    id: pi.id,
    status: pi.status,
    currency: pi.currency,
    amountFen: pi.amount,
    amountReceivedFen: pi.amount_received ?? 0,
    statementId: typeof pi.metadata?.statementId === 'string' ? pi.metadata.statementId : null,
  };
}

/** Every Stripe SDK call of the platform: Checkout for a statement, webhook verification, recent PaymentIntents. */
export class StripeGateway implements PaymentGateway {
  private readonly stripe: Stripe;

  constructor(private readonly settings: StripeSettings) {
    this.stripe = new Stripe(settings.secretKey, { maxNetworkRetries: 2, timeout: 20_000, ...connection(settings.apiHost) });
  }

  async createCheckout(input: Parameters<PaymentGateway['createCheckout']>[0]): Promise<{ id: string; url: string }> {
    const session = await this.stripe.checkout.sessions.create(
      {
        mode: 'payment',
        line_items: [{ quantity: 1, price_data: { currency: 'cny', unit_amount: input.amountFen, product_data: { name: input.description } } }],
        payment_intent_data: { metadata: { statementId: input.statementId } },
        metadata: { statementId: input.statementId },
        success_url: input.successUrl,
        cancel_url: input.cancelUrl,
      },
      { idempotencyKey: input.idempotencyKey },
    );
    if (!session.url) throw new Error('Stripe Checkout returned no URL');
    return { id: session.id, url: session.url };
  }

  parseEvent(rawBody: Buffer, signature: string): PaymentEvent {
    if (!this.settings.webhookSecret) throw new Error('STRIPE_WEBHOOK_SECRET is not set');
    const event = this.stripe.webhooks.constructEvent(rawBody, signature, this.settings.webhookSecret, WEBHOOK_TOLERANCE_SECONDS);
    const object = event.data.object as { object?: string };
    return {
      id: event.id,
      type: event.type,
      paymentIntent: object.object === 'payment_intent' ? intentInfo(object as Stripe.PaymentIntent) : null,
    };
  }

  async recentPaymentIntents(since: Date): Promise<PaymentIntentInfo[]> {
    const found: PaymentIntentInfo[] = [];
    for await (const pi of this.stripe.paymentIntents.list({ created: { gte: Math.floor(since.getTime() / 1000) }, limit: 100 })) {
      found.push(intentInfo(pi));
      if (found.length >= 5_000) break;
    }
    return found;
  }
}

/** Signed test headers for webhook tests (the SDK's own helper). */
export function signedTestHeader(payload: string, secret: string, timestamp?: number): string {
  return new Stripe('sk_test_placeholder').webhooks.generateTestHeaderString({ payload, secret, timestamp });
}
