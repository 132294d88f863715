import type { Request } from 'express';
import type { SessionAccount } from '../modules/accounts';

/**
 * Logs an account into the session: the session id is regenerated (no fixation); logins of
 * the other surfaces in the same browser are carried over.
 */
export function establishLogin(req: Request, account: SessionAccount): Promise<void> {
  const carried = { ...(req.session.auth ?? {}) };
  return new Promise((resolve, reject) => {
    req.session.regenerate((err) => {
      if (err) return reject(err);
      req.session.auth = { ...carried, [account.kind]: { id: account.id, v: account.sessionVersion } };
      req.session.save((saveErr) => (saveErr ? reject(saveErr) : resolve()));
    });
  });
}

/** Logs out: the whole session is destroyed and its cookie cleared. */
export function destroySession(req: Request): Promise<void> {
  return new Promise((resolve, reject) => req.session.destroy((err) => (err ? reject(err) : resolve())));
}
