export { IdempotencyService, requestFingerprint, isReplayable, type IdempotencyClaim } from './idempotency.service';
