import type { RequestHandler } from 'express';
import { csrfSync } from 'csrf-sync';
import { ForbiddenError, UnsupportedMediaTypeError } from '../lib/errors';
import { sessionsUnavailable } from './sessions';

/**
 * Pages: a synchroniser token kept in the session, sent back in a hidden `_csrf` field (or the
 * `X-CSRF-Token` header) on every state-changing request.
 */
const { csrfSynchronisedProtection, isRequestValid, generateToken } = csrfSync({
  getTokenFromRequest: (req) => (req.body as { _csrf?: string } | undefined)?._csrf ?? req.get('x-csrf-token'),
  errorConfig: { statusCode: 403, message: 'invalid csrf token', code: 'EBADCSRFTOKEN' },
});
export const pageCsrf: RequestHandler = (req, res, next) => {
  // no session (its store is unreachable): a form cannot be given a token, so a page with one answers 503
  // (writes were already refused by the session middleware)
  if (req.sessionStoreDown) {
    req.csrfToken = () => {
      throw sessionsUnavailable();
    };
    return next();
  }
  // multipart bodies are parsed by the upload route itself, which checks the token right after;
  // the page it shows again (a form with an error) still needs the token for the next attempt
  if (req.is('multipart/form-data')) {
    req.csrfToken = (overwrite?: boolean) => generateToken(req, overwrite);
    return next();
  }
  csrfSynchronisedProtection(req, res, (err?: unknown) => {
    if (err) return next(err);
    // the token has done its job; strict form schemas must not see it
    if (req.body && typeof req.body === 'object') delete (req.body as Record<string, unknown>)._csrf;
    next();
  });
};

/**
 * For multipart forms: after the upload is parsed, the same synchroniser-token check. Any other
 * body sent to an upload route (urlencoded, JSON) was already checked by `pageCsrf`, which
 * removed the token from it.
 */
export const multipartCsrf: RequestHandler = (req, _res, next) => {
  if (!req.is('multipart/form-data')) return next();
  if (!isRequestValid(req)) return next(new ForbiddenError('页面已过期或表单无效，请刷新后重试', 'csrf_invalid'));
  next();
};

/**
 * JSON APIs: cookies are SameSite=Lax and a state-changing call must be `application/json`,
 * which no cross-site form can send without a CORS preflight (which we never grant).
 * Calls authenticated by API key carry no cookie and are not exposed to CSRF at all.
 */
export const apiCsrf: RequestHandler = (req, _res, next) => {
  if (['GET', 'HEAD', 'OPTIONS'].includes(req.method)) return next();
  if (/^Bearer\s/i.test(req.get('authorization') ?? '')) return next();
  // uploads: a custom header no cross-site form can send (it would need a CORS preflight)
  if (req.is('multipart/form-data') && req.get('x-requested-with')) return next();
  if (!req.is('application/json') && (req.get('content-length') ?? '0') !== '0') {
    return next(new UnsupportedMediaTypeError('请求体须为 application/json'));
  }
  if (!req.is('application/json') && req.get('cookie')) {
    return next(new UnsupportedMediaTypeError('带会话的写请求须为 application/json'));
  }
  next();
};
