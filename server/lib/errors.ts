/**
 * Domain errors. Each class carries its HTTP status and accepts only the codes declared for it
 * below, so a new code is declared once, next to its status; services throw these and never
 * think about HTTP, and the error handler reads `err.status`.
 */
export type FieldErrors = Record<string, string>;

/** Bad input (400): the request itself is wrong, whatever the state. */
export const validationCodes = ['validation_failed', 'invalid_json'] as const;
/** Not signed in, or the credentials were refused (401). */
export const unauthenticatedCodes = ['unauthenticated', 'mfa_required'] as const;
/** Signed in, but not allowed to do this (403). */
export const forbiddenCodes = [
  'forbidden',
  'csrf_invalid',
  'mfa_setup_required',
  'password_change_required',
  'two_person_rule',
  'identity_required',
  'not_applied',
  'consent_withdrawn',
  'contact_refused',
  // contracts: a newer 用户协议/隐私政策 waits to be agreed
  'agreements_outdated',
  // custom roles: granting a permission the granter does not hold
  'permission_not_held',
] as const;
/** No such thing, or not yours (404). */
export const notFoundCodes = ['not_found'] as const;
/** The request conflicts with the current state: an illegal transition, a duplicate, already done (409). */
export const conflictCodes = [
  // staff, onboarding and two-step verification
  'username_taken',
  'own_role',
  'last_manager',
  'own_account',
  'operator_exists',
  'unchanged',
  'already_joined',
  'pending',
  'decided',
  'institution_exists',
  'mfa_enabled',
  'mfa_not_started',
  'mfa_required_for_role',
  'licence_lapsed',
  // accounts and data rights
  'account_exists',
  'already_verified',
  'id_in_use',
  'erasure_pending',
  'erasure_decided',
  'applications_open',
  'already_closed',
  // applications, products, content
  'illegal_transition',
  'duplicate_application',
  'application_rejected',
  'nothing_submitted',
  'version_in_review',
  'nothing_to_submit',
  'not_submitted',
  'not_listed',
  'not_paused',
  'promotion_decided',
  'category_exists',
  'slug_taken',
  'category_in_use',
  'document_quota_exceeded',
  'case_closed',
  // complaints, loans
  'complaint_closed',
  'complaint_resolved',
  'feedback_closed',
  'loan_settled',
  'repayments_exist',
  // settlement
  'agreement_overlap',
  // channels
  'channel_code_taken',
  'channel_link_exists',
  'channel_link_archived',
  'postback_delivered',
  'reversal_window_closed',
  'statement_not_draft',
  'statement_not_issued',
  'statement_paid',
  'line_resolved',
  'dispute_resolved',
  'difference_resolved',
  'nothing_due',
  'stripe_not_configured',
  'transaction_reused',
  'payment_reference_duplicate',
  'payment_duplicate',
  // channel payouts
  'statement_disputed',
  'payment_amount_mismatch',
  'line_disputed',
  // requests and deliveries
  'concurrent_change',
  'idempotency_key_reused',
  'idempotency_in_flight',
  'webhook_already_delivered',
  'offer_expired',
  'offer_decided',
  'offer_not_accepted',
  // contracts
  'agreements_changed',
  // BI
  'view_name_taken',
  // custom roles
  'role_name_taken',
  'role_in_use',
  // the customer-service desk
  'conversation_closed',
  'conversation_taken',
  'conversation_not_closed',
  'already_rated',
  'complaint_exists',
  'complaint_needs_account',
  // institution workflow: maker-checker approvals, 展期 and restructuring
  'review_pending',
  'review_decided',
  'schedule_change_open',
  'schedule_change_decided',
  'schedule_changed',
  'nothing_to_reschedule',
  'schedule_offer_expired',
  // an invitation to a custom role deleted before it was accepted
  'role_gone',
] as const;
/** It existed and is gone for good (410). No code yet: declare one here before throwing it. */
export const goneCodes = [] as const;
/** Locked while something else holds it (423). No code yet: declare one here before throwing it. */
export const lockedCodes = [] as const;
/** Too many requests; try again later (429). */
export const rateLimitedCodes = ['rate_limited', 'login_throttled'] as const;
export const payloadTooLargeCodes = ['payload_too_large'] as const;
export const unsupportedMediaTypeCodes = ['unsupported_media_type'] as const;
export const serviceUnavailableCodes = ['service_unavailable'] as const;

export type ValidationCode = (typeof validationCodes)[number];
export type UnauthenticatedCode = (typeof unauthenticatedCodes)[number];
export type ForbiddenCode = (typeof forbiddenCodes)[number];
export type NotFoundCode = (typeof notFoundCodes)[number];
export type ConflictCode = (typeof conflictCodes)[number];
export type GoneCode = (typeof goneCodes)[number];
export type LockedCode = (typeof lockedCodes)[number];
export type RateLimitedCode = (typeof rateLimitedCodes)[number];
export type PayloadTooLargeCode = (typeof payloadTooLargeCodes)[number];
export type UnsupportedMediaTypeCode = (typeof unsupportedMediaTypeCodes)[number];
export type ServiceUnavailableCode = (typeof serviceUnavailableCodes)[number];

/** Every code an error may carry. */
export type ErrorCode =
  | ValidationCode
  | UnauthenticatedCode
  | ForbiddenCode
  | NotFoundCode
  | ConflictCode
  | GoneCode
  | LockedCode
  | RateLimitedCode
  | PayloadTooLargeCode
  | UnsupportedMediaTypeCode
  | ServiceUnavailableCode;

export abstract class AppError<Code extends ErrorCode = ErrorCode> extends Error {
  /** the HTTP status every error of this class answers with */
  abstract readonly status: number;
  constructor(
    readonly code: Code,
    message: string,
    readonly fields?: FieldErrors,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: names each field and the reason. */
export class ValidationError extends AppError<ValidationCode> {
  readonly status = 400;
  constructor(message: string, fields: FieldErrors, code: ValidationCode = 'validation_failed') {
    super(code, message, fields);
  }
}
export class UnauthenticatedError extends AppError<UnauthenticatedCode> {
  readonly status = 401;
  constructor(message = '请先登录', code: UnauthenticatedCode = 'unauthenticated', fields?: FieldErrors) {
    super(code, message, fields);
  }
}
export class ForbiddenError extends AppError<ForbiddenCode> {
  readonly status = 403;
  constructor(message = '没有权限', code: ForbiddenCode = 'forbidden', fields?: FieldErrors) {
    super(code, message, fields);
  }
}
export class NotFoundError extends AppError<NotFoundCode> {
  readonly status = 404;
  constructor(what = '资源') {
    super('not_found', `${what}不存在`);
  }
}
/** The request conflicts with the current state (an illegal transition, a duplicate). */
export class ConflictError extends AppError<ConflictCode> {
  readonly status = 409;
  constructor(code: ConflictCode, message: string, fields?: FieldErrors) {
    super(code, message, fields);
  }
}
export class GoneError extends AppError<GoneCode> {
  readonly status = 410;
  constructor(code: GoneCode, message: string) {
    super(code, message);
  }
}
export class LockedError extends AppError<LockedCode> {
  readonly status = 423;
  constructor(code: LockedCode, message: string) {
    super(code, message);
  }
}
export class RateLimitedError extends AppError<RateLimitedCode> {
  readonly status = 429;
  constructor(message = '请求过于频繁，请稍后再试', code: RateLimitedCode = 'rate_limited') {
    super(code, message);
  }
}
/** A sign-in refused while a throttle holds (429), with the wait in seconds, sent as Retry-After. */
export class LoginThrottledError extends RateLimitedError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super(message, 'login_throttled');
  }
}
export class PayloadTooLargeError extends AppError<PayloadTooLargeCode> {
  readonly status = 413;
  constructor(message: string, fields?: FieldErrors) {
    super('payload_too_large', message, fields);
  }
}
export class UnsupportedMediaTypeError extends AppError<UnsupportedMediaTypeCode> {
  readonly status = 415;
  constructor(message: string) {
    super('unsupported_media_type', message);
  }
}
/** A shared service the request needs cannot be reached right now (the session store or job locks while Redis is down): try again shortly. */
export class ServiceUnavailableError extends AppError<ServiceUnavailableCode> {
  readonly status = 503;
  constructor(message = '服务暂时不可用，请稍后再试', options?: { cause?: unknown }) {
    super('service_unavailable', message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}

