import type { RequestHandler } from 'express';
import session from 'express-session';
import type { SharedState } from '../adapters/redis';
import { ServiceUnavailableError } from '../lib/errors';
import { readCookie } from './cookies';

export const SESSION_COOKIE = 'dc.sid';

/** What a request that needs a session gets while the session store (Redis) cannot be reached: a 503 in Chinese. */
export function sessionsUnavailable(cause?: unknown): ServiceUnavailableError {
  return cause instanceof ServiceUnavailableError ? cause : new ServiceUnavailableError('登录服务暂时不可用，请稍后再试（浏览产品不受影响）', { cause });
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * express-session on the shared store, used only where a request has or makes a session.
 *
 * - A read-only API call without a session cookie (an app browsing the catalogue, an institution
 *   with an API key) has no session to load and will not start one: the machinery is skipped.
 * - While the store is unreachable (Redis down) nothing waits for it: reads are served without a
 *   session, as to someone not signed in (`req.sessionStoreDown` is set, so guards that need a
 *   signed-in person and forms that need a token answer 503); a write answers 503 at once unless
 *   an API key authenticates it, since every other write needs a session or starts one.
 */
export function createSessionMiddleware(shared: SharedState, options: { secret: string; secure: boolean }): RequestHandler {
  const sessions = session({
    name: SESSION_COOKIE,
    secret: options.secret,
    store: shared.sessionStore,
    resave: false,
    saveUninitialized: false,
    rolling: true,
    cookie: { httpOnly: true, sameSite: 'lax', secure: options.secure, maxAge: 8 * 60 * 60 * 1000 },
  });
  const withoutStore: RequestHandler = (req, _res, next) => {
    req.sessionStoreDown = true;
    if (READS.has(req.method) || /^Bearer\s/i.test(req.get('authorization') ?? '')) return next();
    next(sessionsUnavailable());
  };
  return (req, res, next) => {
    if ((req.method === 'GET' || req.method === 'HEAD') && req.path.startsWith('/api/') && readCookie(req, SESSION_COOKIE) === undefined) {
      return next();
    }
    if (!shared.available()) return withoutStore(req, res, next);
    sessions(req, res, (err?: unknown) => {
      if (err === undefined) return next();
      // the store failed while loading this session (Redis went away a moment ago, or timed out)
      shared.unavailable('sessions', err);
      withoutStore(req, res, next);
    });
  };
}
