import { gzip } from 'node:zlib';
import type { Request, RequestHandler, Response } from 'express';
import type { Services } from '../../../container';
import { RepeatFilter } from '../../../lib/repeat-filter';
import { SEARCH_CACHE_SECONDS } from '../../../modules/catalogue';
import type { HttpKit } from '../../kit';
import { readCookie } from '../../cookies';
import { SESSION_COOKIE } from '../../sessions';
import { refuseUnstorableInput } from '../../safe-input';

/**
 * A finished anonymous product list: its body as sent, and what its search recorded. `gzipped`
 * is the same body compressed, made once in the background after the list is first answered again.
 */
export type AnonymousList = { version: number; body: Buffer; ids: string[]; q: string | undefined; total: number; gzipped?: Buffer | 'pending' };

export const JSON_UTF8 = 'application/json; charset=utf-8';

/**
 * Finished lists by URL, each for SEARCH_CACHE_SECONDS, at most `lists` of them and `bytes` of
 * bodies: past either bound the oldest go first (lists expire within seconds anyway, so first in,
 * first out). A Map and a clock read: most API requests are answered from here, and lru-cache's
 * get with a time to live cost about 2 µs a request more.
 */
export class KeptLists {
  private readonly kept = new Map<string, { list: AnonymousList; expiresAt: number }>();
  private bytes = 0;
  /** URLs answered lately: a list is kept from its second asking on (see `offer`) */
  private readonly asked: RepeatFilter;

  constructor(
    private readonly limits = { lists: 2_000, bytes: 8 * 1024 * 1024, ttlMs: SEARCH_CACHE_SECONDS * 1000 },
    private readonly now: () => number = Date.now,
  ) {
    this.asked = new RepeatFilter({ windowMs: limits.ttlMs, now });
  }

  get(url: string): AnonymousList | undefined {
    const entry = this.kept.get(url);
    if (entry === undefined) return undefined;
    if (entry.expiresAt > this.now()) return entry.list;
    this.drop(url, entry.list);
    return undefined;
  }

  has(url: string): boolean {
    return this.get(url) !== undefined;
  }

  set(url: string, list: AnonymousList): void {
    const old = this.kept.get(url);
    if (old) this.drop(url, old.list);
    if (list.body.length > this.limits.bytes) return;
    this.kept.set(url, { list, expiresAt: this.now() + this.limits.ttlMs });
    this.bytes += list.body.length;
    // a Map iterates in insertion order: the oldest first
    for (const [oldest, entry] of this.kept) {
      if (this.kept.size <= this.limits.lists && this.bytes <= this.limits.bytes) break;
      this.drop(oldest, entry.list);
    }
  }

  /**
   * Keeps a list just built when its URL was asked lately (a URL asked once, as most typed
   * searches are, would only fill the kept lists and the collector's old space).
   */
  offer(url: string, list: AnonymousList): void {
    if (this.asked.seenBefore(url)) this.set(url, list);
  }

  private drop(url: string, list: AnonymousList): void {
    this.kept.delete(url);
    this.bytes -= list.body.length;
  }
}

/**
 * Anonymous product lists are the same for everyone: the finished body is kept per app (per
 * services), keyed by the whole URL, no longer than the search result it was built from, and
 * dropped as soon as the catalogue's results change (resultsVersion). Bodies are UTF-8 bytes:
 * converting a 20 KB string on every send costs more than the lookup.
 */
const anonymousListsByApp = new WeakMap<Services, KeptLists>();
export function anonymousLists(services: Services): KeptLists {
  let lists = anonymousListsByApp.get(services);
  if (!lists) anonymousListsByApp.set(services, (lists = new KeptLists()));
  return lists;
}

/** The list kept for this URL while the catalogue's results are still those it was built from. */
export function keptList(services: Services, url: string): AnonymousList | undefined {
  const hit = anonymousLists(services).get(url);
  return hit && hit.version === services.catalogue.resultsVersion ? hit : undefined;
}

/**
 * Whether a client with this Accept-Encoding header takes gzip over identity, as
 * req.acceptsEncodings says (it parses and sorts the header on every call, a few µs). The answer
 * is kept per header value: clients send a handful of different values; at most 64 are kept.
 */
const gzipByHeader = new Map<string, boolean>();
function acceptsGzip(req: Request): boolean {
  const header = req.headers['accept-encoding'];
  if (header === undefined) return false;
  let yes = gzipByHeader.get(header);
  if (yes === undefined) {
    if (gzipByHeader.size >= 64) gzipByHeader.clear();
    gzipByHeader.set(header, (yes = req.acceptsEncodings('gzip', 'identity') === 'gzip'));
  }
  return yes;
}

/** Vary: Accept-Encoding, set outright when nothing else set a Vary (express's res.vary parses and merges the header first) */
export function varyByEncoding(res: Response): void {
  if (res.getHeader('Vary') === undefined) res.setHeader('Vary', 'Accept-Encoding');
  else res.vary('Accept-Encoding');
}

/**
 * Sends a kept list, recording the search and the impressions as building it would have. A client
 * that accepts gzip (browsers and app HTTP clients do) gets the compressed copy once it is made: a
 * 20 KB page is about a tenth of that on the wire, compressed once per kept list instead of once
 * per answer. The copy is made off the event loop on the list's first repeat, which is sent plain.
 * The bytes are final, so they are written with node's own calls, without express's res.send (its
 * content-type parsing, charset and freshness checks have nothing to do for them).
 */
export function sendKeptList(services: Services, visitor: string, list: AnonymousList, req: Request, res: Response): void {
  if (list.q) services.catalogue.recordEvent(visitor, 'search', { query: list.q, channel: 'api', results: list.total });
  services.catalogue.recordImpressions(visitor, list.ids, list.q ? 'search' : 'list', 'api');
  res.setHeader('Content-Type', JSON_UTF8);
  varyByEncoding(res);
  let body = list.body;
  const gzipped = list.gzipped;
  if (gzipped === undefined) {
    list.gzipped = 'pending';
    gzip(list.body, (err, bytes) => {
      list.gzipped = err ? undefined : bytes;
    });
  } else if (gzipped !== 'pending' && acceptsGzip(req)) {
    res.setHeader('Content-Encoding', 'gzip');
    body = gzipped;
  }
  res.statusCode = 200;
  res.setHeader('Content-Length', body.length);
  res.end(body);
}

/**
 * `GET /api/v1/products` for a caller with no session cookie and no Authorization header (so
 * certainly not signed in), mounted ahead of the body parsers, the session, the CSRF check and the
 * API router: none of them has anything to do for an anonymous GET. A list kept for the URL is sent
 * at once (the route accepted and answered that URL before, so the checks it skips gave their
 * answer already); any other URL gets the unstorable-input check every request gets, then the
 * route's own handler (`list`: its query checked, the search, the list built and offered to the
 * kept lists). A signed-in caller goes on through the stack to the same route, as before.
 */
export function anonymousProductList(services: Services, kit: Pick<HttpKit, 'visitor'>, list: RequestHandler): RequestHandler {
  return (req: Request, res, next) => {
    if (req.headers.authorization !== undefined || readCookie(req, SESSION_COOKIE) !== undefined) return next();
    const kept = keptList(services, req.originalUrl);
    if (kept) return sendKeptList(services, kit.visitor(req, res), kept, req, res);
    refuseUnstorableInput(req, res, (refused?: unknown) => {
      if (refused) return next(refused);
      Promise.resolve(list(req, res, next)).catch(next);
    });
  };
}
