import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { z } from 'zod';
import {
  AppError,
  ForbiddenError,
  LoginThrottledError,
  NotFoundError,
  PayloadTooLargeError,
  UnsupportedMediaTypeError,
  ValidationError,
  type ErrorCode,
  type FieldErrors,
} from '../lib/errors';
import type { Logger } from '../lib/logger';
import { fieldErrors } from './validate';
import type { SurfaceRenderers } from './render';
import { loginPaths } from './guards';
import { unsupportedCharsetMessage } from './safe-input';

export interface ErrorBody {
  /** an error class's code; `bad_request` for a library's own 4xx, `internal` for anything unforeseen */
  error: { code: ErrorCode | 'bad_request' | 'internal'; message: string; fields?: FieldErrors; requestId?: string };
}

/**
 * What the frameworks throw (body parser, multer, csurf, http-errors), as the error class that
 * carries its status; anything else is not the client's doing.
 */
function asAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  if (err instanceof z.ZodError) return new ValidationError('输入有误', fieldErrors(err));
  const e = err as { type?: string; status?: number; statusCode?: number; code?: string; name?: string; field?: string };
  if (e?.name === 'MulterError') {
    const field = e.field ?? 'file';
    return e.code === 'LIMIT_FILE_SIZE' ? new PayloadTooLargeError('文件过大', { [field]: '文件不能超过 5 MB' }) : new ValidationError('上传有误', { [field]: '只能上传一个文件' });
  }
  if (e?.type === 'entity.parse.failed') return new ValidationError('请求体不是有效的 JSON', {}, 'invalid_json');
  if (e?.type === 'entity.too.large') return new PayloadTooLargeError('请求体过大');
  if (e?.type === 'charset.unsupported') return new UnsupportedMediaTypeError(unsupportedCharsetMessage);
  if (e?.code === 'EBADCSRFTOKEN' || (e?.statusCode === 403 && (err as Error).message?.includes('csrf'))) {
    return new ForbiddenError('页面已过期或表单无效，请刷新后重试', 'csrf_invalid');
  }
  return undefined;
}

/** Normalises anything thrown into a status code and a safe body; never a stack trace. */
export function describeError(err: unknown): { status: number; body: ErrorBody['error'] } {
  const known = asAppError(err);
  if (known) {
    const fields = known.fields && Object.keys(known.fields).length ? known.fields : undefined;
    return { status: known.status, body: { code: known.code, message: known.message, fields } };
  }
  // another 4xx from a library (http-errors): its own status, a generic code
  const e = err as { status?: number; statusCode?: number; expose?: boolean };
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

function surfaceOf(req: Request): 'web' | 'partner' | 'admin' | 'channel' {
  const path = req.originalUrl;
  if (path.startsWith('/partner')) return 'partner';
  if (path === '/channel' || path.startsWith('/channel/') || path.startsWith('/channel?')) return 'channel';
  if (path.startsWith('/admin')) return 'admin';
  return 'web';
}

const surfaceLogin = { web: loginPaths.consumer, partner: loginPaths.institution, admin: loginPaths.operator, channel: loginPaths.channel };

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
  return (_req, _res, next) => next(new NotFoundError('页面'));
}
