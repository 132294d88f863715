export { IdempotencyService, requestFingerprint, type IdempotencyClaim } from './idempotency.service';
