import { performance } from 'node:perf_hooks';
import { and, asc, desc, eq, inArray, isNotNull, lte, ne } from 'drizzle-orm';
import type { Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { newId } from '../../lib/ids';
import type { PiiCipher } from '../../lib/pii';
import { withTransaction } from '../../lib/tx';
import { OUTCOME, postJson, retryDelayMs, SIGNATURE_HEADER, signPayload, systemResolve, type PostOutcome, type Resolve } from '../webhooks';
import { channelPostbackAttempts, channelPostbacks, channels, channelWatermarks, type PostbackStatus } from './channels.schema';
import { conversionsBetween, type ConversionKind } from './conversions';

/** https, or plain http to this machine where loopback is allowed (local testing): as lead webhooks. */
function postableForm(url: string, allowLoopback: boolean): boolean {
  try {
    const u = new URL(url);
    if (u.protocol === 'https:') return true;
    return allowLoopback && u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

/** A postback that failed this many times is given up (`failed`). */
export const POSTBACK_MAX_ATTEMPTS = 8;
/** Each enqueue run re-reads this far before its watermark, so an event recorded late with an earlier time is still posted. */
export const POSTBACK_TRAILING_MS = 3 * 24 * 3600_000;
export const POSTBACK_EVENT_HEADER = 'x-daichao-event';
export const POSTBACK_ID_HEADER = 'x-daichao-delivery';
const WATERMARK_ID = 'postbacks';
const MIN_LEASE_MS = 60_000;
const INSERT_BATCH = 500;

/** The JSON body of a postback: no personal data, only the channel's own click id and sub-ID. */
export interface PostbackBody {
  /** registration | verified_registration | application | approval | disbursement */
  event: ConversionKind;
  clickId: string;
  subId: string;
  /** when the event happened (ISO 8601, UTC) */
  occurredAt: string;
  /** stable across retries: the receiver keeps it to ignore a repeat */
  eventId: string;
}

export interface PostbackAttemptView {
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  at: Date;
}

export interface PostbackLogEntry {
  id: string;
  event: ConversionKind;
  subId: string;
  clickId: string;
  occurredAt: Date;
  status: PostbackStatus;
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  lastDurationMs: number | null;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  createdAt: Date;
  tries: PostbackAttemptView[];
}

export interface PostbackRunResult {
  attempted: number;
  delivered: number;
  failed: number;
}

type Claimed = {
  id: string;
  kind: ConversionKind;
  subId: string;
  clickId: string;
  occurredAt: Date;
  attempts: number;
  url: string | null;
  secretEnc: string | null;
};

export interface PostbackOutboxDeps {
  db: Database;
  pii: PiiCipher;
  clock: Clock;
  allowLoopback: boolean;
  resolve?: Resolve;
  timeoutMs?: number;
}

/**
 * Server-to-server postbacks of channel conversions, the way lead webhooks are sent
 * (server/modules/webhooks): the same signature (`X-Daichao-Signature: t=<unix>,v1=<hex
 * hmac-sha256(secret, t + "." + body)>`, `signPayload`), the same guarded POST (public addresses
 * only, no redirects, nothing of the answer kept), the same backoff (`retryDelayMs`: 30 s, 1 min,
 * 2 min … ±10%), up to POSTBACK_MAX_ATTEMPTS tries. Each attempt is logged with its status code,
 * error and duration.
 */
export class PostbackOutbox {
  private readonly resolve: Resolve;
  private readonly timeoutMs: number;
  private readonly leaseMs: number;

  constructor(private readonly deps: PostbackOutboxDeps) {
    this.resolve = deps.resolve ?? systemResolve;
    this.timeoutMs = deps.timeoutMs ?? 5_000;
    this.leaseMs = Math.max(MIN_LEASE_MS, this.timeoutMs * 2);
  }

  /**
   * Reads the conversions in [watermark − 3 days, now] of channels with a postback URL that are
   * not terminated and queues each once (unique channel + kind + source event; a repeat is
   * ignored), then moves the watermark to `now`. The first run starts 3 days back. Returns how
   * many were newly queued.
   */
  async enqueue(now: Date): Promise<number> {
    const db = this.deps.db;
    const [mark] = await db.select({ through: channelWatermarks.through }).from(channelWatermarks).where(eq(channelWatermarks.id, WATERMARK_ID));
    const from = new Date((mark ? Math.min(mark.through.getTime(), now.getTime()) : now.getTime()) - POSTBACK_TRAILING_MS);
    const posting = await db
      .select({ id: channels.id })
      .from(channels)
      .where(and(isNotNull(channels.postbackUrl), ne(channels.status, 'terminated')));
    let queued = 0;
    // one read per posting channel, by the attribution's channel index: few channels post back, many may not
    for (const { id: channelId } of posting) {
      const conversions = await conversionsBetween(db, { from, to: new Date(now.getTime() + 1), channelId });
      for (let i = 0; i < conversions.length; i += INSERT_BATCH) {
        const rows = conversions.slice(i, i + INSERT_BATCH).map((c) => ({
          id: newId('cpb'),
          channelId: c.channelId,
          kind: c.kind,
          sourceId: c.sourceId,
          subId: c.subId,
          clickId: c.clickId,
          occurredAt: c.at,
          status: 'pending' as const,
          nextAttemptAt: now,
          createdAt: now,
        }));
        const inserted = await db.insert(channelPostbacks).values(rows).onConflictDoNothing().returning({ id: channelPostbacks.id });
        queued += inserted.length;
      }
    }
    await db
      .insert(channelWatermarks)
      .values({ id: WATERMARK_ID, through: now })
      .onConflictDoUpdate({ target: channelWatermarks.id, set: { through: now } });
    return queued;
  }

  /** Posts up to `limit` due postbacks, oldest first. Rows another worker holds are skipped. */
  async deliverDue(limit = 20): Promise<PostbackRunResult> {
    const claimed = await this.claim(limit);
    const outcomes = await Promise.all(claimed.map((p) => this.send(p)));
    const delivered = outcomes.filter(Boolean).length;
    return { attempted: claimed.length, delivered, failed: claimed.length - delivered };
  }

  private async claim(limit: number): Promise<Claimed[]> {
    const now = this.deps.clock.now();
    return withTransaction(this.deps.db, async (tx) => {
      const rows = await tx
        .select({
          id: channelPostbacks.id,
          kind: channelPostbacks.kind,
          subId: channelPostbacks.subId,
          clickId: channelPostbacks.clickId,
          occurredAt: channelPostbacks.occurredAt,
          attempts: channelPostbacks.attempts,
          url: channels.postbackUrl,
          secretEnc: channels.postbackSecretEnc,
        })
        .from(channelPostbacks)
        .innerJoin(channels, eq(channels.id, channelPostbacks.channelId))
        .where(and(eq(channelPostbacks.status, 'pending'), lte(channelPostbacks.nextAttemptAt, now), isNotNull(channels.postbackUrl), ne(channels.status, 'terminated')))
        .orderBy(asc(channelPostbacks.nextAttemptAt), asc(channelPostbacks.id))
        .limit(Math.max(1, Math.floor(limit)))
        .for('update', { of: channelPostbacks, skipLocked: true });
      if (rows.length > 0) {
        await tx
          .update(channelPostbacks)
          .set({ nextAttemptAt: new Date(now.getTime() + this.leaseMs) })
          .where(inArray(channelPostbacks.id, rows.map((r) => r.id)));
      }
      return rows;
    });
  }

  /** The body and headers of one postback, signed now. */
  signed(p: Pick<Claimed, 'id' | 'kind' | 'subId' | 'clickId' | 'occurredAt'>, secret: string): { body: string; headers: Record<string, string> } {
    const payload: PostbackBody = { event: p.kind, clickId: p.clickId, subId: p.subId, occurredAt: p.occurredAt.toISOString(), eventId: p.id };
    const body = JSON.stringify(payload);
    return {
      body,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'daichao-postbacks/1',
        [SIGNATURE_HEADER]: signPayload(secret, body, Math.floor(this.deps.clock.now().getTime() / 1000)),
        [POSTBACK_EVENT_HEADER]: p.kind,
        [POSTBACK_ID_HEADER]: p.id,
      },
    };
  }

  private async post(p: Claimed): Promise<PostOutcome> {
    if (!p.url || !p.secretEnc) return { ok: false, statusCode: null, error: OUTCOME.blocked };
    // the form is checked again at every attempt (https, or loopback where allowed); every address by postJson's lookup
    if (!postableForm(p.url, this.deps.allowLoopback)) return { ok: false, statusCode: null, error: OUTCOME.blocked };
    const { body, headers } = this.signed(p, this.deps.pii.decrypt(p.secretEnc));
    return postJson(p.url, headers, body, { resolve: this.resolve, allowLoopback: this.deps.allowLoopback, timeoutMs: this.timeoutMs });
  }

  /** One POST; records the attempt and the outcome. True when delivered. */
  private async send(p: Claimed): Promise<boolean> {
    const started = performance.now();
    const outcome = await this.post(p);
    const durationMs = Math.round(performance.now() - started);
    const now = this.deps.clock.now();
    const attempts = p.attempts + 1;
    const givingUp = !outcome.ok && attempts >= POSTBACK_MAX_ATTEMPTS;
    await withTransaction(this.deps.db, async (tx) => {
      // the guard on attempts keeps a worker whose lease expired from recording over a newer attempt
      const [mine] = await tx
        .update(channelPostbacks)
        .set(
          outcome.ok
            ? { status: 'delivered', deliveredAt: now, attempts, lastStatusCode: outcome.statusCode, lastError: null, lastDurationMs: durationMs }
            : {
                status: givingUp ? 'failed' : 'pending',
                attempts,
                lastStatusCode: outcome.statusCode,
                lastError: outcome.error,
                lastDurationMs: durationMs,
                nextAttemptAt: givingUp ? now : new Date(now.getTime() + retryDelayMs(attempts)),
              },
        )
        .where(and(eq(channelPostbacks.id, p.id), eq(channelPostbacks.status, 'pending'), eq(channelPostbacks.attempts, p.attempts)))
        .returning({ id: channelPostbacks.id });
      if (!mine) return;
      await tx.insert(channelPostbackAttempts).values({
        postbackId: p.id,
        attempt: attempts,
        statusCode: outcome.statusCode,
        error: outcome.ok ? null : outcome.error,
        durationMs,
        at: now,
      });
    });
    return outcome.ok;
  }

  /**
   * Sends a pending or given-up postback of this channel at the next delivery run; its attempts
   * are kept, so a given-up one gets one more try. False when it was already delivered; undefined
   * when the channel has no such postback.
   */
  async retry(channelId: string, postbackId: string): Promise<boolean | undefined> {
    const [row] = await this.deps.db
      .update(channelPostbacks)
      .set({ status: 'pending', nextAttemptAt: this.deps.clock.now() })
      .where(and(eq(channelPostbacks.id, postbackId), eq(channelPostbacks.channelId, channelId), inArray(channelPostbacks.status, ['pending', 'failed'])))
      .returning({ id: channelPostbacks.id });
    if (row) return true;
    const [existing] = await this.deps.db
      .select({ id: channelPostbacks.id })
      .from(channelPostbacks)
      .where(and(eq(channelPostbacks.id, postbackId), eq(channelPostbacks.channelId, channelId)));
    return existing ? false : undefined;
  }

  /** The delivery log of one channel, newest first, each postback with its attempts (oldest first); `postbackId` picks one. */
  async log(channelId: string, limit: number, postbackId?: string): Promise<PostbackLogEntry[]> {
    const rows = await this.deps.db
      .select()
      .from(channelPostbacks)
      .where(postbackId ? and(eq(channelPostbacks.channelId, channelId), eq(channelPostbacks.id, postbackId)) : eq(channelPostbacks.channelId, channelId))
      .orderBy(desc(channelPostbacks.createdAt), desc(channelPostbacks.occurredAt), desc(channelPostbacks.id))
      .limit(Math.min(Math.max(1, Math.floor(limit)), 500));
    if (rows.length === 0) return [];
    const tries = await this.deps.db
      .select()
      .from(channelPostbackAttempts)
      .where(inArray(channelPostbackAttempts.postbackId, rows.map((r) => r.id)))
      .orderBy(asc(channelPostbackAttempts.attempt));
    const byPostback = new Map<string, PostbackAttemptView[]>();
    for (const t of tries) {
      const list = byPostback.get(t.postbackId) ?? [];
      list.push({ attempt: t.attempt, statusCode: t.statusCode, error: t.error, durationMs: t.durationMs, at: t.at });
      byPostback.set(t.postbackId, list);
    }
    return rows.map((r) => ({
      id: r.id,
      event: r.kind,
      subId: r.subId,
      clickId: r.clickId,
      occurredAt: r.occurredAt,
      status: r.status,
      attempts: r.attempts,
      lastStatusCode: r.lastStatusCode,
      lastError: r.lastError,
      lastDurationMs: r.lastDurationMs,
      nextAttemptAt: r.nextAttemptAt,
      deliveredAt: r.deliveredAt,
      createdAt: r.createdAt,
      tries: byPostback.get(r.id) ?? [],
    }));
  }
}
