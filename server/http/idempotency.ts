import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { ValidationError } from '../lib/errors';
import { requestFingerprint, type IdempotencyService } from '../modules/idempotency';
import type { WriteBatch } from '../lib/tx';

/**
 * A keyed request's outcome written in the transaction of its work (`IdempotencyService.keepWith`):
 * a handler whose work commits through a write batch keeps its answer there, then answers with
 * that same body and status; the middleware sees it kept and writes nothing more.
 */
export interface KeptOutcome {
  keep(batch: WriteBatch, statusCode: number, body: unknown): Promise<void>;
}

const keptOutcomes = new WeakMap<Response, KeptOutcome>();

/** The request's `KeptOutcome` when it came with an Idempotency-Key (undefined without one). */
export function keptOutcomeOf(res: Response): KeptOutcome | undefined {
  return keptOutcomes.get(res);
}

const KEY_PATTERN = /^[A-Za-z0-9_\-:.]{8,128}$/;

/**
 * `Idempotency-Key` for JSON APIs: the first call runs, repeats with the same key and body (the
 * same JSON in any key order) get the same status and body back, a repeat with another body is
 * a 409. The key is scoped to the caller. Only successes and 409s are kept (see `isReplayable`):
 * after any other 4xx or a 5xx the key is released, so the client can retry or correct the request.
 */
export function idempotent(service: IdempotencyService, options: { required: boolean }): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const key = req.get('idempotency-key');
    if (!key) {
      if (options.required) {
        return next(new ValidationError('缺少 Idempotency-Key 请求头', { 'Idempotency-Key': '必填：每个新请求使用一个新的唯一值（如 UUID）' }));
      }
      return next();
    }
    if (!KEY_PATTERN.test(key)) {
      return next(new ValidationError('Idempotency-Key 格式无效', { 'Idempotency-Key': '8 到 128 位字母、数字或 -_:.' }));
    }
    const scope = `${req.account?.kind ?? 'anon'}:${req.account?.id ?? req.ip}`;
    const fingerprint = requestFingerprint(req.method, req.baseUrl + req.path, req.body);
    const claim = await service.claim(scope, key, fingerprint);
    if (claim.kind === 'replay') {
      res.set('Idempotent-Replayed', 'true');
      res.status(claim.statusCode).json(claim.body);
      return;
    }
    const json = res.json.bind(res);
    let finished = false;
    let kept: { statusCode: number; body: unknown } | undefined;
    keptOutcomes.set(res, {
      keep: async (batch, statusCode, body) => {
        await service.keepWith(batch, scope, key, statusCode, body);
        kept = { statusCode, body };
      },
    });
    res.json = (body: unknown) => {
      finished = true;
      const status = res.statusCode;
      // kept with the work, which committed (an answer after a rollback is an error's, another status or body)
      if (kept && kept.statusCode === status && kept.body === body) return json(body);
      service.settle(scope, key, status, body).then(
        () => json(body),
        (err: unknown) => next(err),
      );
      return res;
    };
    res.on('close', () => {
      // answered without JSON: nothing to keep. A client that hung up before the answer is not
      // that: the request runs on, and its outcome is kept (or released) when it ends; a request
      // that never ends leaves its key in flight until it is taken over as stale
      if (!finished && res.writableEnded) void service.release(scope, key).catch(() => undefined);
    });
    next();
  };
}

/**
 * The same guarantee for HTML forms: each form carries a hidden `idempotencyKey` made when it
 * was rendered, so a double click or a resubmitted POST lands on the first result (a redirect).
 */
export function formIdempotent(service: IdempotencyService): RequestHandler {
  return async (req: Request, res: Response, next: NextFunction) => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const key = typeof body.idempotencyKey === 'string' ? body.idempotencyKey : undefined;
    delete body.idempotencyKey;
    if (!key || !KEY_PATTERN.test(key)) return next();
    const scope = `form:${req.account?.kind ?? 'anon'}:${req.account?.id ?? req.ip}`;
    const claim = await service.claim(scope, key, requestFingerprint(req.method, req.baseUrl + req.path, body));
    if (claim.kind === 'replay') {
      const location = (claim.body as { location?: string } | null)?.location;
      if (location) return res.redirect(303, location);
      return next();
    }
    const redirect = res.redirect.bind(res) as (status: number, url: string) => void;
    let finished = false;
    res.redirect = ((status: number | string, url?: string) => {
      finished = true;
      const [code, location] = typeof status === 'number' ? [status, url!] : [302, status];
      service.complete(scope, key, code, { location }).then(
        () => redirect(code, location),
        (err: unknown) => next(err),
      );
    }) as Response['redirect'];
    res.on('finish', () => {
      if (!finished) void service.release(scope, key).catch(() => undefined);
    });
    next();
  };
}
