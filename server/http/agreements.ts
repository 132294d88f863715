import type { Request, RequestHandler } from 'express';
import type { Services } from '../container';
import { ForbiddenError } from '../lib/errors';
import type { RequestOrigin } from '../modules/audit';
import type { SessionAccount } from '../modules/accounts';
import type { RegistrationChannel } from '../modules/channels';

declare module 'express-session' {
  interface SessionData {
    /** `account:ua-version:pp-version` once the account is known to have agreed to the versions in force */
    agreementsOk?: string;
  }
}

/**
 * Registration with the 用户协议 and 隐私政策 agreed: the versions sent must be the ones in force
 * (a stale page is a 409 before any account exists), then the account is created and the
 * acceptance recorded with the time and IP. Kept apart from the accounts module so login and
 * registration code stay as they are.
 */
export async function registerAgreeing(
  services: Services,
  body: {
    phone: string;
    code: string;
    password: string;
    displayName?: string;
    agreements: { userAgreement: number; privacyPolicy: number };
    channel?: RegistrationChannel;
  },
  origin: RequestOrigin,
): Promise<SessionAccount> {
  const { agreements, channel, ...account } = body;
  await services.contracts.checkAgreementVersions(agreements);
  // the channel that brought the borrower (first touch within the window), decided in the registration's transaction
  const attribute = await services.channels.attributionStep({ visitor: origin.visitor, device: origin.device, channel });
  const created = await services.accounts.register(account, origin, (tx, created) => attribute(tx, created.id));
  await services.contracts.acceptAgreements(created.id, agreements, { ip: origin.actor.ip });
  return created;
}

const pageExempt = /^\/(legal\/|login|logout|register|password|assets\/|favicon)/;
const apiExempt = /^\/(auth\/|legal\/|me\/agreements)/;

/**
 * When a newer 用户协议 or 隐私政策 is in force than the signed-in consumer agreed to: pages
 * (GET) redirect to /legal/accept and come back after; the API answers 403 `agreements_outdated`
 * until PUT /api/v1/me/agreements. The session remembers an account found up to date for the
 * versions in force, so the check is one cached lookup per request.
 */
export function agreementsGate(services: Pick<Services, 'contracts'>, mode: 'page' | 'api'): RequestHandler {
  return async (req: Request, res, next) => {
    const id = req.session?.auth?.consumer?.id;
    if (!id || (mode === 'page' && req.method !== 'GET') || (mode === 'page' ? pageExempt : apiExempt).test(req.path)) return next();
    const key = `${id}:${await services.contracts.agreementVersionsKey()}`;
    if (req.session.agreementsOk === key) return next();
    if ((await services.contracts.outdatedAgreements(id)).length === 0) {
      req.session.agreementsOk = key;
      return next();
    }
    if (mode === 'api') return next(new ForbiddenError('《用户协议》或《隐私政策》已更新，请阅读并同意后继续（PUT /api/v1/me/agreements）', 'agreements_outdated'));
    res.redirect(303, `/legal/accept?next=${encodeURIComponent(req.originalUrl)}`);
  };
}
