import type { Request, RequestHandler } from 'express';
import { rateLimit, ipKeyGenerator } from 'express-rate-limit';
import type { SharedState } from '../adapters/redis';
import { RateLimitedError } from '../lib/errors';

export interface RateLimitSettings {
  loginPerWindow: number;
  registerPerWindow: number;
  windowMs: number;
}

const loginField = (req: Request) => {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const login = body.phone ?? body.username ?? body.login ?? '';
  return typeof login === 'string' ? login.trim().toLowerCase() : '';
};

/**
 * Rate limits on login and registration, per client address and per login, shared via Redis when
 * configured. Login limits count failed attempts only (an answer of 400 or more), so an office
 * behind one address can sign in all day; the per-account waits are in accounts/login-throttle.ts.
 */
export function createRateLimits(shared: SharedState, settings: RateLimitSettings) {
  const limiter = (prefix: string, limit: number, key: (req: Request) => string, failuresOnly = false): RequestHandler =>
    rateLimit({
      windowMs: settings.windowMs,
      limit,
      skipSuccessfulRequests: failuresOnly,
      standardHeaders: 'draft-8',
      legacyHeaders: false,
      store: shared.rateLimitStore(prefix),
      // Redis down: let the request through rather than refuse everyone; the outage is logged once, not per request
      passOnStoreError: true,
      logger: shared.rateLimitLogger,
      keyGenerator: key,
      handler: (_req, _res, next) => next(new RateLimitedError('尝试次数过多，请 15 分钟后再试')),
    });
  const ip = (req: Request) => ipKeyGenerator(req.ip ?? 'unknown');
  return {
    login: [
      limiter('login-ip', settings.loginPerWindow * 5, ip, true),
      limiter('login-account', settings.loginPerWindow, (req) => `${ip(req)}|${loginField(req)}`, true),
    ] as RequestHandler[],
    register: limiter('register', settings.registerPerWindow, ip),
    /** SMS codes cost money and can be abused to spam: per address, on top of the per-number limits */
    smsCode: limiter('sms-code', settings.registerPerWindow * 2, ip),
  };
}
export type RateLimits = ReturnType<typeof createRateLimits>;
