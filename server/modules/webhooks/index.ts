export {
  WebhooksService,
  retryDelayMs,
  webhookUrlProblem,
  DELIVERY_HEADER,
  EVENT_HEADER,
  MAX_ATTEMPTS,
  MAX_URL_LENGTH,
  LEAD_OUTBOX_CHANNEL,
  type WebhookEndpointView,
  type WebhookDeliveryView,
  type DeliveryRunResult,
  type WebhooksOptions,
  type ClaimedDelivery,
} from './webhooks.service';
export { addressProblem, systemResolve, type Resolve } from './address-guard';
export { postJson, OUTCOME, type PostOutcome } from './outbound-post';
export { signPayload, verifySignature, SIGNATURE_HEADER, type VerifyOptions } from './signature';
export { webhookJobs, type WebhookJobsOptions } from './webhooks.jobs';
export { LeadDispatcher, type LeadDispatcherOptions } from './lead-dispatcher';
