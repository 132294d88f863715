import { randomUUID } from 'node:crypto';
import type { Request, Response } from 'express';
import type { PiiCipher } from '../lib/pii';
import { readCookie } from './cookies';

const COOKIE = 'dc_vid';
const ONE_YEAR_MS = 365 * 24 * 60 * 60 * 1000;
/** visitors whose keyed hash is kept */
const MAX_HASHED = 20_000;

/**
 * A pseudonymous visitor key for browse and search events: a keyed hash of the account id
 * when logged in, else of a random first-party cookie. Events never hold the raw id.
 * A first visit has no cookie yet: the id minted for it is kept for the rest of the request,
 * so every event of that page (a search and its impressions) has one visitor and the answer
 * sets one cookie.
 */
export function createVisitorResolver(pii: PiiCipher, secure: boolean) {
  const minted = new WeakMap<Request, string>();
  // the keyed hash of a visitor is the same on every request: computed once per visitor, not per
  // request, and kept in a plain Map started afresh past MAX_HASHED (a Map's get is a tenth of an LRU's)
  const hashed = new Map<string, string>();
  const blindIndex = (value: string): string => {
    let index = hashed.get(value);
    if (index === undefined) {
      if (hashed.size >= MAX_HASHED) hashed.clear();
      hashed.set(value, (index = pii.blindIndex(value)));
    }
    return index;
  };
  return (req: Request, res: Response): string => {
    if (req.account?.kind === 'consumer') return blindIndex(`visitor:account:${req.account.id}`);
    let vid = minted.get(req) ?? readCookie(req, COOKIE);
    if (!vid || !/^[0-9a-f-]{36}$/.test(vid)) {
      vid = randomUUID();
      minted.set(req, vid);
      res.cookie(COOKIE, vid, { httpOnly: true, sameSite: 'lax', secure, maxAge: ONE_YEAR_MS });
    }
    return blindIndex(`visitor:cookie:${vid}`);
  };
}

/** The key the visitor cookie of this request names (as `createVisitorResolver` computes it when not signed in), or null without one; never sets a cookie. */
export function visitorCookieKey(pii: PiiCipher, req: Request): string | null {
  const vid = readCookie(req, COOKIE);
  return vid && /^[0-9a-f-]{36}$/.test(vid) ? pii.blindIndex(`visitor:cookie:${vid}`) : null;
}

export type VisitorResolver = ReturnType<typeof createVisitorResolver>;
