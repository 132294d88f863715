import type { Express, NextFunction, Request, RequestHandler, Response } from 'express';
import type { AccountKind, SessionAccount } from '../modules/accounts';
import type { Services } from '../container';
import { ForbiddenError, UnauthenticatedError } from '../lib/errors';
import { channelCan, institutionCan, operatorCan, type ChannelPermission, type InstitutionPermission, type OperatorPermission } from '../modules/accounts/permissions';
import { mfaRequiredFor } from '../modules/accounts/mfa.service';
import { sessionsUnavailable } from './sessions';

const GUARD = Symbol.for('daichao.guard');

/** A middleware that decides who may call a route. Every route must start with one. */
export type Guard = RequestHandler & { [GUARD]: string };

function markGuard(name: string, handler: RequestHandler): Guard {
  return Object.assign(handler, { [GUARD]: name }) as Guard;
}

export function isGuard(fn: unknown): fn is Guard {
  return typeof fn === 'function' && GUARD in fn;
}

type Mode = 'page' | 'api';

export const loginPaths: Record<AccountKind, string> = {
  consumer: '/login',
  institution: '/partner/login',
  operator: '/admin/login',
  channel: '/channel/login',
};

export type StaffAccountKind = 'institution' | 'operator' | 'channel';
export const securityPaths: Record<StaffAccountKind, string> = { institution: '/partner/security', operator: '/admin/security', channel: '/channel/security' };

export function createGuards(services: Pick<Services, 'accounts' | 'institutions'>, options: { mfaRequired?: boolean } = {}) {
  async function fromSession(req: Request, kind: AccountKind): Promise<boolean> {
    const entry = req.session?.auth?.[kind];
    if (!entry || typeof entry !== 'object') return false;
    const account = await services.accounts.findActive(kind, entry.id);
    // gone, frozen, or logged out everywhere since this session began
    if (!account || account.sessionVersion !== entry.v) {
      delete req.session.auth![kind];
      return false;
    }
    req.account = account;
    req.authMethod = 'session';
    if (account.institutionId) req.institutionId = account.institutionId;
    if (account.channelId) req.channelId = account.channelId;
    return true;
  }

  function refuse(req: Request, res: Response, next: NextFunction, mode: Mode, kind: AccountKind) {
    // no session could be read (Redis down): whether someone is signed in is unknown, so not a login redirect but a 503
    if (req.sessionStoreDown) return next(sessionsUnavailable());
    if (mode === 'api') return next(new UnauthenticatedError());
    const target = `${loginPaths[kind]}?next=${encodeURIComponent(req.originalUrl)}`;
    res.redirect(303, target);
  }

  function forbid(): ForbiddenError {
    return new ForbiddenError('你的角色无权执行此操作');
  }

  /**
   * Staff who must set their own password (after a one-time password) or must use a second
   * factor and have not set it up yet may only reach the security page and its APIs: pages
   * redirect there, APIs answer 403 `password_change_required` or `mfa_setup_required`.
   */
  function needsSecuritySetup(req: Request, res: Response, mode: Mode, kind: StaffAccountKind, allowSetup: boolean): boolean {
    const account = req.account!;
    if (allowSetup) return false;
    if (account.mustChangePassword) {
      if (mode === 'api') throw new ForbiddenError('请先修改一次性密码', 'password_change_required');
      res.redirect(303, `${securityPaths[kind]}?required=password`);
      return true;
    }
    if (account.mfaEnabled || !mfaRequiredFor(account, options.mfaRequired ?? false)) return false;
    if (mode === 'api') throw new ForbiddenError('请先在网页端开启两步验证', 'mfa_setup_required');
    res.redirect(303, `${securityPaths[kind]}?required=1`);
    return true;
  }

  return {
    /** Anyone, logged in or not. The account, if any, is still loaded for the layout. */
    public: markGuard('public', async (req, _res, next) => {
      await fromSession(req, 'consumer');
      next();
    }),
    consumer: (mode: Mode) =>
      markGuard(`consumer:${mode}`, async (req, res, next) => {
        if (await fromSession(req, 'consumer')) return next();
        refuse(req, res, next, mode, 'consumer');
      }),
    /**
     * Institution staff by session, or (API only) an institution's API key, holding `permission`.
     * `allowSecuritySetup`: reachable before a one-time password is replaced or TOTP set up;
     * `sessionOnly`: a person's own account (their password, their sessions), never an API key.
     */
    institution: (mode: Mode, permission: InstitutionPermission, opts: { allowSecuritySetup?: boolean; sessionOnly?: boolean } = {}) =>
      markGuard(`institution:${mode}:${permission}`, async (req, res, next) => {
        const bearer = mode === 'api' ? /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1] : undefined;
        if (bearer && opts.sessionOnly) return next(new ForbiddenError('API 密钥不能执行此操作，请以员工身份登录'));
        if (bearer) {
          const key = await services.institutions.verifyApiKey(bearer);
          if (!key) return next(new UnauthenticatedError('API 密钥无效或已吊销'));
          req.institutionId = key.institutionId;
          req.authMethod = 'api_key';
          req.account = {
            id: key.keyId,
            kind: 'institution',
            role: 'api',
            displayName: 'API',
            loginMasked: key.keyId,
            institutionId: key.institutionId,
            channelId: null,
            sessionVersion: 0,
            mfaEnabled: false,
            mustChangePassword: false,
          };
          return next(institutionCan('api', permission) ? undefined : forbid());
        }
        if (await fromSession(req, 'institution')) {
          if (needsSecuritySetup(req, res, mode, 'institution', opts.allowSecuritySetup ?? false)) return;
          return next(institutionCan(req.account!, permission) ? undefined : forbid());
        }
        refuse(req, res, next, mode, 'institution');
      }),
    /** Operator staff by session, holding `permission` (`allowSecuritySetup` as for institution staff). */
    operator: (mode: Mode, permission: OperatorPermission, opts: { allowSecuritySetup?: boolean } = {}) =>
      markGuard(`operator:${mode}:${permission}`, async (req, res, next) => {
        if (await fromSession(req, 'operator')) {
          if (needsSecuritySetup(req, res, mode, 'operator', opts.allowSecuritySetup ?? false)) return;
          return next(operatorCan(req.account!, permission) ? undefined : forbid());
        }
        refuse(req, res, next, mode, 'operator');
      }),
    /** A channel partner's staff by session (the channel API too: no API keys), holding `permission`. */
    channel: (mode: Mode, permission: ChannelPermission, opts: { allowSecuritySetup?: boolean } = {}) =>
      markGuard(`channel:${mode}:${permission}`, async (req, res, next) => {
        if (await fromSession(req, 'channel')) {
          if (needsSecuritySetup(req, res, mode, 'channel', opts.allowSecuritySetup ?? false)) return;
          return next(channelCan(req.account!.role, permission) ? undefined : forbid());
        }
        refuse(req, res, next, mode, 'channel');
      }),
  };
}

export type Guards = ReturnType<typeof createGuards>;

interface Layer {
  route?: { path: string; methods: Record<string, boolean>; stack: Layer[] };
  handle: RequestHandler & { stack?: Layer[] };
  name?: string;
}

/**
 * Walks every router of the app and refuses to start if a route has no guard in front of its
 * handlers, either on the route itself or mounted before it on its router.
 */
export function assertEveryRouteGuarded(app: Express): void {
  const unguarded: string[] = [];
  const walk = (stack: Layer[], inherited: boolean, prefix: string) => {
    let guarded = inherited;
    for (const layer of stack) {
      if (layer.route) {
        const first = layer.route.stack[0]?.handle;
        if (!guarded && !isGuard(first)) {
          unguarded.push(`${Object.keys(layer.route.methods).join(',').toUpperCase()} ${prefix}${layer.route.path}`);
        }
      } else if (isGuard(layer.handle)) {
        guarded = true;
      } else if (Array.isArray(layer.handle.stack)) {
        walk(layer.handle.stack, guarded, prefix + '…');
      }
    }
  };
  const router = (app as unknown as { router: { stack: Layer[] } }).router;
  walk(router.stack, false, '');
  if (unguarded.length) {
    throw new Error(`Routes without a guard (declare who may call them):\n  ${unguarded.join('\n  ')}`);
  }
}

/** The name a guard was declared with, e.g. `operator:page:products.review`. */
export function guardName(fn: unknown): string | undefined {
  return isGuard(fn) ? fn[GUARD] : undefined;
}

/**
 * The routes declared directly on one router, with the guard in front of each (the route's own
 * first handler, or the last guard mounted before it on the router). Surfaces add their routes
 * to one router, so this is their whole list.
 */
export function listRoutes(router: { stack: Layer[] }): { method: string; path: string; guard: string | undefined }[] {
  const out: { method: string; path: string; guard: string | undefined }[] = [];
  let mounted: string | undefined;
  for (const layer of router.stack) {
    if (layer.route) {
      const guard = guardName(layer.route.stack[0]?.handle) ?? mounted;
      for (const method of Object.keys(layer.route.methods)) out.push({ method: method.toUpperCase(), path: layer.route.path, guard });
    } else if (isGuard(layer.handle)) {
      mounted = guardName(layer.handle);
    }
  }
  return out;
}

/** Who may call a route, as data: the API's and the pages' route tables declare it and the router builds the guard from it. */
export type GuardSpec =
  | { kind: 'public' }
  | { kind: 'consumer' }
  | { kind: 'institution'; permission: InstitutionPermission; allowSecuritySetup?: boolean; sessionOnly?: boolean }
  | { kind: 'operator'; permission: OperatorPermission; allowSecuritySetup?: boolean }
  | { kind: 'channel'; permission: ChannelPermission; allowSecuritySetup?: boolean };

/** Anyone; the consumer's account when one is signed in. */
export interface PublicPrincipal {
  kind: 'public';
  account: SessionAccount | undefined;
}
export interface ConsumerPrincipal {
  kind: 'consumer';
  account: SessionAccount;
}
/** Institution staff by session, or an institution's API key (`account.role` is `api` then). */
export interface InstitutionPrincipal {
  kind: 'institution';
  account: SessionAccount;
  institutionId: string;
  authMethod: 'session' | 'api_key';
}
export interface OperatorPrincipal {
  kind: 'operator';
  account: SessionAccount;
}
/** A channel partner's staff: everything they see is scoped to `channelId`. */
export interface ChannelPrincipal {
  kind: 'channel';
  account: SessionAccount;
  channelId: string;
}
export type Principal = PublicPrincipal | ConsumerPrincipal | InstitutionPrincipal | OperatorPrincipal | ChannelPrincipal;
export type PrincipalFor<G extends GuardSpec> = Extract<Principal, { kind: G['kind'] }>;

/** The guard middleware a spec asks for, answering as an API (401/403 JSON) or as pages (a login redirect). */
export function guardFor(guards: Guards, spec: GuardSpec, mode: Mode): Guard {
  switch (spec.kind) {
    case 'public':
      return guards.public;
    case 'consumer':
      return guards.consumer(mode);
    case 'institution':
      return guards.institution(mode, spec.permission, { allowSecuritySetup: spec.allowSecuritySetup, sessionOnly: spec.sessionOnly });
    case 'operator':
      return guards.operator(mode, spec.permission, { allowSecuritySetup: spec.allowSecuritySetup });
    case 'channel':
      return guards.channel(mode, spec.permission, { allowSecuritySetup: spec.allowSecuritySetup });
  }
}

/** The API guard middleware a spec asks for. */
export const apiGuard = (guards: Guards, spec: GuardSpec): Guard => guardFor(guards, spec, 'api');

/**
 * The caller a guard let through, typed by the guard: no `req.account!` in handlers. A guard that
 * passed always set what its principal needs; should it not have, the caller is unauthenticated.
 */
export function principalOf<G extends GuardSpec>(req: Request, spec: G): PrincipalFor<G> {
  return principalFor(req, spec.kind) as PrincipalFor<G>;
}

function principalFor(req: Request, kind: GuardSpec['kind']): Principal {
  if (kind === 'public') return { kind, account: req.account };
  const account = req.account;
  if (!account || account.kind !== kind) throw new UnauthenticatedError();
  if (kind === 'channel') {
    if (!account.channelId) throw new UnauthenticatedError();
    return { kind, account, channelId: account.channelId };
  }
  if (kind !== 'institution') return { kind, account };
  if (!req.institutionId) throw new UnauthenticatedError();
  return { kind, account, institutionId: req.institutionId, authMethod: req.authMethod ?? 'session' };
}
