/**
 * The payment port: what the statements service needs from a card/online payment provider.
 * The only implementation talks to Stripe (server/adapters/stripe); without one, institutions pay
 * by bank transfer and finance records it.
 */
export interface PaymentIntentInfo {
  id: string;
  status: string;
  currency: string;
  amountFen: number;
  amountReceivedFen: number;
  statementId: string | null;
}

export interface PaymentEvent {
  id: string;
  type: string;
  paymentIntent: PaymentIntentInfo | null;
}

export interface PaymentGateway {
  createCheckout(input: {
    statementId: string;
    amountFen: number;
    description: string;
    successUrl: string;
    cancelUrl: string;
    idempotencyKey: string;
  }): Promise<{ id: string; url: string }>;
  /** verifies the signature and the timestamp; throws on either */
  parseEvent(rawBody: Buffer, signature: string): PaymentEvent;
  recentPaymentIntents(since: Date): Promise<PaymentIntentInfo[]>;
}

/** Higher ranks win: a late `processing` never replaces `succeeded`. */
const rank: Record<string, number> = {
  requires_payment_method: 1,
  requires_confirmation: 1,
  requires_action: 2,
  processing: 3,
  payment_failed: 2,
  canceled: 4,
  succeeded: 5,
};

export function laterStatus(current: string | undefined, incoming: string): string {
  if (current === undefined) return incoming;
  if (current === 'succeeded') return current;
  return (rank[incoming] ?? 0) >= (rank[current] ?? 0) ? incoming : current;
}

/** The status a payment_intent event reports. */
export function statusOfEvent(type: string, objectStatus: string): string {
  if (type === 'payment_intent.payment_failed') return 'payment_failed';
  return objectStatus;
}
