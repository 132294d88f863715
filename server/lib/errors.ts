/**
 * Domain errors. One table (http/error-handler.ts) maps them to status codes; services
 * throw these and never think about HTTP.
 */
export type FieldErrors = Record<string, string>;

export class AppError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly fields?: FieldErrors,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Bad input: names each field and the reason. */
export class ValidationError extends AppError {
  constructor(message: string, fields: FieldErrors) {
    super('validation_failed', message, fields);
  }
}
export class NotFoundError extends AppError {
  constructor(what = '资源') {
    super('not_found', `${what}不存在`);
  }
}
export class UnauthenticatedError extends AppError {
  constructor(message = '请先登录') {
    super('unauthenticated', message);
  }
}
export class ForbiddenError extends AppError {
  constructor(message = '没有权限', code = 'forbidden') {
    super(code, message);
  }
}
/** The request conflicts with the current state (an illegal transition, a duplicate). */
export class ConflictError extends AppError {
  constructor(code: string, message: string, fields?: FieldErrors) {
    super(code, message, fields);
  }
}
export class RateLimitedError extends AppError {
  constructor(message = '请求过于频繁，请稍后再试') {
    super('rate_limited', message);
  }
}
/** A shared service the request needs cannot be reached right now (the session store or job locks while Redis is down): try again shortly. */
export class ServiceUnavailableError extends AppError {
  constructor(message = '服务暂时不可用，请稍后再试', options?: { cause?: unknown }) {
    super('service_unavailable', message);
    if (options?.cause !== undefined) this.cause = options.cause;
  }
}
/** A sign-in refused while a throttle holds (429), with the wait in seconds, sent as Retry-After. */
export class LoginThrottledError extends AppError {
  constructor(
    message: string,
    readonly retryAfterSeconds: number,
  ) {
    super('login_throttled', message);
  }
}
