import type { Express, Request } from 'express';
import type { SessionAccount } from '../modules/accounts';

/** What the app does once someone has signed in or registered (`setAfterLogin`): a visitor's desk conversations become the account's. */
export type AfterLogin = (req: Request, account: SessionAccount) => Promise<void>;

export function setAfterLogin(app: Express, afterLogin: AfterLogin): void {
  app.locals.afterLogin = afterLogin;
}

/**
 * Logs an account into the session: the session id is regenerated (no fixation); logins of
 * the other surfaces in the same browser are carried over. Then the app's after-login step
 * runs (every sign-in and registration comes through here).
 */
export async function establishLogin(req: Request, account: SessionAccount): Promise<void> {
  const carried = { ...(req.session.auth ?? {}) };
  await new Promise<void>((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err);
      req.session.auth = { ...carried, [account.kind]: { id: account.id, v: account.sessionVersion } };
      req.session.save((saveErr) => (saveErr ? reject(saveErr) : resolve()));
    });
  });
  await (req.app.locals.afterLogin as AfterLogin | undefined)?.(req, account);
}

/** Logs out: the whole session is destroyed and its cookie cleared. */
export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}
