import type { Request, Response } from 'express';
import { Passport } from 'passport';
import { Strategy as LocalStrategy } from 'passport-local';
import type { AccountKind, AccountsService, SessionAccount } from '../modules/accounts';

/**
 * Passport local strategies, one per kind of account (consumer by phone, institution and
 * operator staff by username). They only check credentials (and a TOTP code sent along as
 * `totp`); `establishLogin` then puts the account into the session under its own kind, so the
 * three surfaces keep separate logins.
 */
export function createPassport(accounts: AccountsService) {
  const passport = new Passport();
  const strategy = (kind: AccountKind, usernameField: string) =>
    new LocalStrategy({ usernameField, passwordField: 'password', session: false, passReqToCallback: true }, (req, login, password, done) => {
      const totp = (req.body as { totp?: unknown }).totp;
      accounts.authenticate(kind, login, password, { totp: typeof totp === 'string' ? totp : undefined }).then(
        (account) => done(null, account),
        (err: unknown) => done(err),
      );
    });
  passport.use('consumer-local', strategy('consumer', 'phone'));
  passport.use('institution-local', strategy('institution', 'username'));
  passport.use('operator-local', strategy('operator', 'username'));
  passport.use('channel-local', strategy('channel', 'username'));

  /** Runs the kind's strategy on a request whose body has already been validated. */
  return (kind: AccountKind, req: Request, res: Response): Promise<SessionAccount> =>
    new Promise((resolve, reject) => {
      passport.authenticate(`${kind}-local`, { session: false }, (err: unknown, account: SessionAccount | false) => {
        if (err) return reject(err);
        if (!account) return reject(new Error('missing credentials'));
        resolve(account);
      })(req, res, (err: unknown) => reject(err));
    });
}

export type Authenticate = ReturnType<typeof createPassport>;
