import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { z } from 'zod';
import { AppError, LoginThrottledError, type FieldErrors } from '../lib/errors';
import type { Logger } from '../lib/logger';
import { fieldErrors } from './validate';
import type { SurfaceRenderers } from './render';
import { loginPaths } from './guards';
import { unsupportedCharsetMessage } from './safe-input';

/** The one table from error codes to HTTP status codes. */
const statusByCode: Record<string, number> = {
  validation_failed: 400,
  bad_request: 400,
  invalid_json: 400,
  unauthenticated: 401,
  forbidden: 403,
  mfa_setup_required: 403,
  password_change_required: 403,
  // staff, onboarding and two-step verification conflicts
  username_taken: 409,
  own_role: 409,
  last_manager: 409,
  own_account: 409,
  operator_exists: 409,
  unchanged: 409,
  already_joined: 409,
  pending: 409,
  decided: 409,
  institution_exists: 409,
  mfa_enabled: 409,
  mfa_not_started: 409,
  mfa_required_for_role: 409,
  licence_lapsed: 409,
  two_person_rule: 403,
  erasure_pending: 409,
  erasure_decided: 409,
  applications_open: 409,
  already_closed: 409,
  mfa_required: 401,
  csrf_invalid: 403,
  not_found: 404,
  illegal_transition: 409,
  agreement_overlap: 409,
  reversal_window_closed: 409,
  account_exists: 409,
  idempotency_key_reused: 409,
  idempotency_in_flight: 409,
  duplicate_application: 409,
  nothing_submitted: 409,
  version_in_review: 409,
  nothing_to_submit: 409,
  not_submitted: 409,
  not_listed: 409,
  not_paused: 409,
  promotion_decided: 409,
  already_verified: 409,
  id_in_use: 409,
  identity_required: 403,
  not_applied: 403,
  complaint_closed: 409,
  complaint_resolved: 409,
  concurrent_change: 409,
  consent_withdrawn: 403,
  contact_refused: 403,
  loan_settled: 409,
  repayments_exist: 409,
  transaction_reused: 409,
  document_quota_exceeded: 409,
  payment_reference_duplicate: 409,
  payment_duplicate: 409,
  statement_not_issued: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  rate_limited: 429,
  login_throttled: 429,
  service_unavailable: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; fields?: FieldErrors; requestId?: string };
}

/** Normalises anything thrown into a status code and a safe body; never a stack trace. */
export function describeError(err: unknown): { status: number; body: ErrorBody['error'] } {
  if (err instanceof AppError) {
    return { status: statusByCode[err.code] ?? 400, body: { code: err.code, message: err.message, fields: err.fields } };
  }
  if (err instanceof z.ZodError) {
    return { status: 400, body: { code: 'validation_failed', message: '输入有误', fields: fieldErrors(err) } };
  }
  const e = err as { type?: string; status?: number; statusCode?: number; code?: string; expose?: boolean; name?: string; field?: string };
  if (e?.name === 'MulterError') {
    const tooBig = e.code === 'LIMIT_FILE_SIZE';
    return {
      status: tooBig ? 413 : 400,
      body: { code: tooBig ? 'payload_too_large' : 'validation_failed', message: tooBig ? '文件过大' : '上传有误', fields: { [e.field ?? 'file']: tooBig ? '文件不能超过 5 MB' : '只能上传一个文件' } },
    };
  }
  if (e?.type === 'entity.parse.failed') return { status: 400, body: { code: 'invalid_json', message: '请求体不是有效的 JSON' } };
  if (e?.type === 'entity.too.large') return { status: 413, body: { code: 'payload_too_large', message: '请求体过大' } };
  if (e?.type === 'charset.unsupported') return { status: 415, body: { code: 'unsupported_media_type', message: unsupportedCharsetMessage } };
  if (e?.code === 'EBADCSRFTOKEN' || (e?.statusCode === 403 && (err as Error).message?.includes('csrf'))) {
    return { status: 403, body: { code: 'csrf_invalid', message: '页面已过期或表单无效，请刷新后重试' } };
  }
  const status = e?.status ?? e?.statusCode;
  if (status && status >= 400 && status < 500) {
    return { status, body: { code: 'bad_request', message: e.expose ? (err as Error).message : '请求无效' } };
  }
  return { status: 500, body: { code: 'internal', message: '服务器内部错误，请稍后重试' } };
}

/** What the driver said about a failed query: the SQLSTATE and where, never `detail` (it can quote the row's values). */
const databaseErrorFields = ['code', 'severity', 'message', 'schema', 'table', 'column', 'constraint', 'routine'] as const;

/**
 * A 500's log fields. Drizzle wraps a driver error as "Failed query: <sql> params: <values>" with
 * the driver's error as `cause`: the values are personal data and stay out of the log; the
 * cause's SQLSTATE (`cause.code`, e.g. 22021 for a NUL byte, 23503 for a missing foreign key),
 * message and constraint go in, since they say what went wrong.
 */
function loggableError(err: unknown): { err: unknown; cause?: Record<string, unknown> } {
  if (!(err instanceof Error)) return { err };
  const query = (err as { query?: unknown }).query;
  const cause = err.cause as Record<string, unknown> | undefined;
  const causeFields =
    cause && typeof cause === 'object'
      ? Object.fromEntries(databaseErrorFields.filter((k) => cause[k] !== undefined && cause[k] !== null).map((k) => [k, cause[k]]))
      : undefined;
  if (typeof query !== 'string') return { err, ...(causeFields ? { cause: causeFields } : {}) };
  const message = `Failed query: ${query}`;
  const frames = err.stack?.split('\n').filter((line) => /^\s+at /.test(line)) ?? [];
  // the same class (so the log's `type` stays DrizzleQueryError), without the values
  const safe = Object.assign(Object.create(Object.getPrototypeOf(err) as object) as Error, { message, stack: [`${err.name}: ${message}`, ...frames].join('\n') });
  return { err: safe, cause: causeFields };
}

function surfaceOf(req: Request): 'web' | 'partner' | 'admin' {
  const path = req.originalUrl;
  if (path.startsWith('/partner')) return 'partner';
  if (path.startsWith('/admin')) return 'admin';
  return 'web';
}

const surfaceLogin = { web: loginPaths.consumer, partner: loginPaths.institution, admin: loginPaths.operator };

export function createErrorHandler(logger: Logger, renderers: SurfaceRenderers): ErrorRequestHandler {
  return (err, req, res, _next) => {
    const { status, body } = describeError(err);
    // a 503 is an outage the shared state already reported once (server/adapters/redis), not a failure per request
    if (status >= 500 && status !== 503) logger.error({ ...loggableError(err), reqId: req.id }, 'request failed');
    else logger.debug({ code: body.code, reqId: req.id }, 'request refused');
    if (res.headersSent) return;
    if (err instanceof LoginThrottledError) res.set('Retry-After', String(err.retryAfterSeconds));
    if (status === 503) res.setHeader('Retry-After', '30');
    if (req.originalUrl.startsWith('/api/') || req.originalUrl.startsWith('/webhooks/')) {
      res.status(status).json({ error: { ...body, requestId: req.id ? String(req.id) : undefined } });
      return;
    }
    const surface = surfaceOf(req);
    if (status === 401) {
      res.redirect(303, `${surfaceLogin[surface]}?next=${encodeURIComponent(req.originalUrl)}`);
      return;
    }
    res.status(status);
    renderers[surface](req, res, 'error', { title: '出错了', status, error: body, requestId: req.id }).catch(() => {
      res.type('text/plain').send(`${status} ${body.message}`);
    });
  };
}

export function notFoundHandler(): RequestHandler {
  return (_req, _res, next) => next(new AppError('not_found', '页面不存在'));
}
