import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { PiiCipher } from '../lib/pii';
import { readCookie } from './cookies';

const COOKIE = 'dc_vid';
const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;

/**
 * A pseudonymous visitor key for browse and search events: a keyed hash of the account id
 * when logged in, else of a random first-party cookie. Events never hold the raw id.
 */
export function createVisitorResolver(pii: PiiCipher, secure: boolean) {
  return (req: Request, res: Response): string => {
    if (req.account?.kind === 'consumer') return pii.blindIndex(`visitor:account:${req.account.id}`);
    let vid = readCookie(req, COOKIE);
    if (!vid || !/^[0-9a-f-]{36}$/.test(vid)) {
      vid = randomUUID();
      res.cookie(COOKIE, vid, { httpOnly: true, sameSite: 'lax', secure, maxAge: ONE_YEAR_MS });
    }
    return pii.blindIndex(`visitor:cookie:${vid}`);
  };
}

export type VisitorResolver = ReturnType<typeof createVisitorResolver>;
