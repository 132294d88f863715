import express, { type Express, type RequestHandler } from 'express';
import type { Services } from '../container';
import type { Logger } from '../lib/logger';

/**
 * `POST /webhooks/stripe`: the raw body (this route only, mounted before `express.json`), the
 * signature and timestamp verified by the SDK (400 when either is wrong), then the event handled
 * once (a redelivery is acknowledged with 200 and changes nothing). Any failure answers 500 so
 * Stripe delivers again. The signature is the authentication: the guard is public.
 */
export function mountStripeWebhook(app: Express, services: Services, logger: Logger, publicGuard: RequestHandler): void {
  app.post('/webhooks/stripe', publicGuard, express.raw({ type: () => true, limit: '1mb' }), async (req, res) => {
    const gateway = services.statements.gateway;
    if (!gateway) {
      res.status(404).json({ error: { code: 'stripe_not_configured', message: 'Stripe is not configured' } });
      return;
    }
    const signature = req.get('stripe-signature');
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    let event;
    try {
      if (!signature) throw new Error('missing Stripe-Signature');
      event = gateway.parseEvent(body, signature);
    } catch (err) {
      logger.warn({ err: (err as Error).message }, 'stripe webhook refused');
      res.status(400).json({ error: { code: 'bad_signature', message: 'signature verification failed' } });
      return;
    }
    try {
      const outcome = await services.statements.handlePaymentEvent(event);
      res.json({ received: true, outcome });
    } catch (err) {
      logger.error({ err, eventId: event.id, type: event.type }, 'stripe webhook failed; Stripe will retry');
      res.status(500).json({ error: { code: 'webhook_failed', message: 'processing failed, retry later' } });
    }
  });
}
