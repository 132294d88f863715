import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, inArray, lte, sql } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import type { PiiCipher } from '../../lib/pii';
import { txOf, withTransaction, write, type WriteBatch } from '../../lib/tx';
import type { Clock } from '../../lib/clock';
import type { AuditActor, AuditService } from '../audit';
import { SIGNATURE_HEADER, signPayload } from './signature';
import { webhookDeliveries, webhookEndpoints } from './webhooks.schema';
import { BlockedAddressError, UnresolvedHostError, publicAddresses, systemResolve, type Resolve } from './address-guard';
import { OUTCOME, postJson, type PostOutcome } from './outbound-post';
import { listenOnChannel, type ChannelListener } from '../../adapters/postgres';

export const DELIVERY_HEADER = 'x-daichao-delivery';
export const EVENT_HEADER = 'x-daichao-event';
/**
 * The channel `enqueue` notifies (payload: the institution) in the caller's transaction. PostgreSQL
 * delivers a NOTIFY only when that transaction commits, so a rolled-back application never wakes
 * a dispatcher; both drivers support it (PGlite in process).
 */
export const LEAD_OUTBOX_CHANNEL = 'lead_outbox';
/** A delivery that failed this many times is given up (`failed`); `retryNow` gives it one more try. */
export const MAX_ATTEMPTS = 12;
export const MAX_URL_LENGTH = 500;

const BASE_DELAY_MS = 30_000;
const MAX_DELAY_MS = 6 * 60 * 60 * 1000;
/** How far a claimed delivery's next_attempt_at is pushed, so no other worker picks it while it is being sent. */
const MIN_LEASE_MS = 60_000;
/** Plain http is allowed to these hosts only, and only where loopback is allowed (development). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

export interface WebhookEndpointView {
  id: string;
  url: string;
  active: boolean;
  createdAt: Date;
}

export interface WebhookDeliveryView {
  id: string;
  event: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
  createdAt: Date;
}

export interface DeliveryRunResult {
  attempted: number;
  delivered: number;
  failed: number;
}

export interface WebhooksOptions {
  /** Per request, connect to end of the response headers (default 5000 ms). */
  timeoutMs?: number;
  /**
   * Accept this machine (127.0.0.0/8, ::1, localhost, and plain http:// to them) as a webhook
   * address: local testing only (WEBHOOK_ALLOW_LOOPBACK, refused in production). Default false.
   */
  allowLoopback?: boolean;
  /** Host name → addresses (default: the system resolver); tests inject their own. */
  resolve?: Resolve;
}

/** Delay before the next try after `attempts` failures: 30 s, 1 min, 2 min, … capped at 6 h, ±10% jitter. */
export function retryDelayMs(attempts: number, random: () => number = Math.random): number {
  const base = Math.min(BASE_DELAY_MS * 2 ** Math.max(0, attempts - 1), MAX_DELAY_MS);
  return Math.round(base * (1 + (random() * 2 - 1) * 0.1));
}

/** The reason a URL's form cannot be a webhook endpoint (length, scheme), or null. Addresses are checked by `webhookUrlProblem`. */
function urlFormProblem(url: string, allowLoopback: boolean): string | null {
  if (url.length === 0) return '请填写回调地址';
  if (url.length > MAX_URL_LENGTH) return `回调地址不能超过 ${MAX_URL_LENGTH} 个字符`;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '不是有效的网址';
  }
  if (!parsed.hostname) return '不是有效的网址';
  if (parsed.protocol === 'https:') return null;
  if (allowLoopback && parsed.protocol === 'http:' && LOOPBACK_HOSTS.has(parsed.hostname)) return null;
  return allowLoopback ? '须使用 https://（仅 http://127.0.0.1、http://localhost、http://[::1] 可用于本机测试）' : '须使用 https://';
}

/**
 * The reason a URL cannot be a webhook endpoint, or null when it can: https, and a host whose
 * every address is public (not this machine, the internal network, link-local, multicast,
 * CGNAT or another reserved range, in IPv4, IPv6 or IPv4-in-IPv6 form).
 */
export async function webhookUrlProblem(url: string, options: { allowLoopback?: boolean; resolve?: Resolve } = {}): Promise<string | null> {
  const allowLoopback = options.allowLoopback ?? false;
  const form = urlFormProblem(url, allowLoopback);
  if (form) return form;
  try {
    await publicAddresses(new URL(url).hostname, options.resolve ?? systemResolve, { allowLoopback });
    return null;
  } catch (err) {
    if (err instanceof BlockedAddressError) return `回调地址${err.reason}`;
    if (err instanceof UnresolvedHostError) return '回调地址的域名无法解析';
    throw err;
  }
}

/** A due delivery locked and leased by one dispatcher (`claimDue`), to be sent by `attempt`. */
export type ClaimedDelivery = {
  id: string;
  event: string;
  payload: Record<string, unknown>;
  attempts: number;
  createdAt: Date;
  url: string;
  secretEnc: string;
};

export interface WebhooksServiceDeps extends WebhooksOptions {
  db: Database;
  pii: PiiCipher;
  audit: AuditService;
  clock: Clock;
}

/**
 * Lead-delivery webhooks: one endpoint per institution, deliveries written in the caller's
 * transaction (an outbox), sent at least once with a stable id, signed, retried with backoff.
 */
export class WebhooksService {
  private readonly resolve: Resolve;
  private readonly clock: Clock;
  private readonly timeoutMs: number;
  private readonly leaseMs: number;

  private readonly db: Database;
  private readonly pii: PiiCipher;
  private readonly audit: AuditService;

  constructor({ db, pii, audit, clock, ...options }: WebhooksServiceDeps) {
    this.db = db;
    this.pii = pii;
    this.audit = audit;
    this.clock = clock;
    this.resolve = options.resolve ?? systemResolve;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.leaseMs = Math.max(MIN_LEASE_MS, this.timeoutMs * 2);
    this.allowLoopback = options.allowLoopback ?? false;
  }

  /** this machine as a webhook address is for local testing only; production refuses it */
  private readonly allowLoopback: boolean;

  /** Creates or replaces the institution's endpoint with a new secret, returned only here. */
  async setEndpoint(institutionId: string, url: string, actor: AuditActor): Promise<{ id: string; url: string; secret: string }> {
    const trimmed = url.trim();
    const problem = await webhookUrlProblem(trimmed, { allowLoopback: this.allowLoopback, resolve: this.resolve });
    if (problem) throw new ValidationError('回调地址无效', { url: problem });
    const secret = `whsec_${randomBytes(32).toString('base64url')}`;
    const secretEnc = this.pii.encrypt(secret);
    const at = this.clock.now();
    const id = await withTransaction(this.db, async (tx) => {
      const [row] = await tx
        .insert(webhookEndpoints)
        .values({ id: newId('whe'), institutionId, url: trimmed, secretEnc, active: 'yes', createdAt: at, updatedAt: at })
        .onConflictDoUpdate({
          target: webhookEndpoints.institutionId,
          set: { url: trimmed, secretEnc, active: 'yes', updatedAt: at },
        })
        .returning({ id: webhookEndpoints.id });
      const endpointId = row!.id;
      await this.audit.record(
        actor,
        { action: 'webhook.endpoint_set', objectType: 'webhook_endpoint', objectId: endpointId, detail: { institutionId, url: trimmed } },
        tx,
      );
      return endpointId;
    });
    return { id, url: trimmed, secret };
  }

  /** The endpoint as the portal shows it; never the secret. */
  async getEndpoint(institutionId: string): Promise<WebhookEndpointView | undefined> {
    const [row] = await this.db
      .select({ id: webhookEndpoints.id, url: webhookEndpoints.url, active: webhookEndpoints.active, createdAt: webhookEndpoints.createdAt })
      .from(webhookEndpoints)
      .where(eq(webhookEndpoints.institutionId, institutionId));
    return row ? { ...row, active: row.active === 'yes' } : undefined;
  }

  /** Stops new deliveries; pending ones are kept and resume when an endpoint is set again. */
  async disableEndpoint(institutionId: string, actor: AuditActor): Promise<void> {
    await withTransaction(this.db, async (tx) => {
      const [row] = await tx
        .update(webhookEndpoints)
        .set({ active: 'no', updatedAt: this.clock.now() })
        .where(eq(webhookEndpoints.institutionId, institutionId))
        .returning({ id: webhookEndpoints.id });
      if (!row) throw new NotFoundError('回调地址');
      await this.audit.record(
        actor,
        { action: 'webhook.endpoint_disabled', objectType: 'webhook_endpoint', objectId: row.id, detail: { institutionId } },
        tx,
      );
    });
  }

  /**
   * Queues `event` in the caller's transaction. The delivery id, or null when the institution has no
   * active endpoint. The NOTIFY wakes the dispatchers when (and only if) that transaction commits.
   */
  async enqueue(tx: Database, institutionId: string, event: string, payload: Record<string, unknown>): Promise<string | null> {
    const [id] = await this.enqueueMany(tx, [{ institutionId, event, payload }]);
    return id ?? null;
  }

  /**
   * `enqueue` for several events in one transaction (a multi-apply's leads): the endpoints read in
   * one query, the deliveries inserted in one statement, one NOTIFY per institution (deduplicated
   * by PostgreSQL at commit anyway). Each event's delivery id, or null where its institution has no
   * active endpoint, in the order given.
   */
  async enqueueMany(target: Database | WriteBatch, events: { institutionId: string; event: string; payload: Record<string, unknown> }[]): Promise<(string | null)[]> {
    if (events.length === 0) return [];
    const institutionIds = [...new Set(events.map((e) => e.institutionId))];
    const tx = txOf(target);
    const endpoints = await tx
      .select({ id: webhookEndpoints.id, institutionId: webhookEndpoints.institutionId })
      .from(webhookEndpoints)
      .where(and(inArray(webhookEndpoints.institutionId, institutionIds), eq(webhookEndpoints.active, 'yes')));
    const endpointOf = new Map(endpoints.map((e) => [e.institutionId, e.id]));
    const at = this.clock.now();
    const ids = events.map((e) => (endpointOf.has(e.institutionId) ? newId('whd') : null));
    const rows = events.flatMap((e, i) =>
      ids[i] ? [{ id: ids[i], endpointId: endpointOf.get(e.institutionId)!, institutionId: e.institutionId, event: e.event, payload: e.payload, status: 'pending' as const, nextAttemptAt: at, createdAt: at }] : [],
    );
    if (rows.length === 0) return ids;
    // the deliveries and the NOTIFY of every institution woken in one statement (the NOTIFYs fire at commit)
    const woken = [...new Set(rows.map((r) => r.institutionId))].map((institutionId) => ({ channel: LEAD_OUTBOX_CHANNEL, payload: institutionId }));
    await write(target, [tx.insert(webhookDeliveries).values(rows)], woken);
    return ids;
  }

  /**
   * `enqueueMany` into a write batch without its read of the endpoints (a submission's hot path):
   * the batch's statement joins each event to its institution's active endpoint (at most one per
   * institution), so an event whose institution has none inserts nothing. What that costs: the
   * caller learns no delivery ids, and every institution named is woken at commit (a dispatcher
   * woken for nothing finds nothing due).
   */
  async enqueueInBatch(batch: WriteBatch, events: { institutionId: string; event: string; payload: Record<string, unknown> }[]): Promise<void> {
    if (events.length === 0) return;
    const at = this.clock.now().toISOString();
    const values = sql.join(
      events.map((e) => sql`(${newId('whd')}, ${e.institutionId}, ${e.event}, ${JSON.stringify(e.payload)}::jsonb)`),
      sql`, `,
    );
    const woken = [...new Set(events.map((e) => e.institutionId))].map((institutionId) => ({ channel: LEAD_OUTBOX_CHANNEL, payload: institutionId }));
    await write(
      batch,
      [
        sql`insert into ${webhookDeliveries} (id, endpoint_id, institution_id, event, payload, status, next_attempt_at, created_at)
          select v.id, e.id, v.institution_id, v.event, v.payload, 'pending', ${at}::timestamptz, ${at}::timestamptz
          from (values ${values}) as v(id, institution_id, event, payload)
          join ${webhookEndpoints} e on e.institution_id = v.institution_id and e.active = 'yes'`,
      ],
      woken,
    );
  }

  /** Sends up to `limit` due deliveries, oldest first, at once. Safe to run from several workers at once. */
  async deliverDue(limit = 20): Promise<DeliveryRunResult> {
    const claimed = await this.claimDue(limit);
    const outcomes = await Promise.all(claimed.map((delivery) => this.attempt(delivery)));
    let delivered = 0;
    for (const outcome of outcomes) if (outcome) delivered++;
    return { attempted: claimed.length, delivered, failed: claimed.length - delivered };
  }

  /**
   * Locks up to `limit` due rows, oldest first (skipping rows another worker holds) and leases them
   * by pushing next_attempt_at forward: no other worker sends them until `attempt` records the outcome
   * or the lease runs out.
   */
  async claimDue(limit: number): Promise<ClaimedDelivery[]> {
    const now = this.clock.now();
    return withTransaction(this.db, async (tx) => {
      const rows = await tx
        .select({
          id: webhookDeliveries.id,
          event: webhookDeliveries.event,
          payload: webhookDeliveries.payload,
          attempts: webhookDeliveries.attempts,
          createdAt: webhookDeliveries.createdAt,
          url: webhookEndpoints.url,
          secretEnc: webhookEndpoints.secretEnc,
        })
        .from(webhookDeliveries)
        .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
        .where(
          and(
            eq(webhookDeliveries.status, 'pending'),
            lte(webhookDeliveries.nextAttemptAt, now),
            eq(webhookEndpoints.active, 'yes'),
          ),
        )
        .orderBy(asc(webhookDeliveries.createdAt), asc(webhookDeliveries.id))
        .limit(Math.max(1, Math.floor(limit)))
        .for('update', { of: webhookDeliveries, skipLocked: true });
      if (rows.length > 0) {
        await tx
          .update(webhookDeliveries)
          .set({ nextAttemptAt: new Date(now.getTime() + this.leaseMs) })
          .where(
            inArray(
              webhookDeliveries.id,
              rows.map((r) => r.id),
            ),
          );
      }
      return rows;
    });
  }

  /** One POST of a claimed delivery; records the outcome (delivered, or the next retry with backoff). True when delivered. */
  async attempt(delivery: ClaimedDelivery): Promise<boolean> {
    const outcome = await this.post(delivery);
    const now = this.clock.now();
    const attempts = delivery.attempts + 1;
    // the guard on attempts keeps a worker whose lease expired from recording over a newer attempt
    const mine = and(
      eq(webhookDeliveries.id, delivery.id),
      eq(webhookDeliveries.status, 'pending'),
      eq(webhookDeliveries.attempts, delivery.attempts),
    );
    if (outcome.ok) {
      await this.db
        .update(webhookDeliveries)
        .set({ status: 'delivered', deliveredAt: now, attempts, lastStatusCode: outcome.statusCode, lastError: null })
        .where(mine);
      return true;
    }
    const givingUp = attempts >= MAX_ATTEMPTS;
    await this.db
      .update(webhookDeliveries)
      .set({
        status: givingUp ? 'failed' : 'pending',
        attempts,
        lastStatusCode: outcome.statusCode,
        lastError: outcome.error,
        nextAttemptAt: givingUp ? now : new Date(now.getTime() + retryDelayMs(attempts)),
      })
      .where(mine);
    return false;
  }

  /** How long until the next pending delivery (of an active endpoint) falls due: 0 when one is due now, null when none is pending. */
  async nextDueInMs(): Promise<number | null> {
    const [row] = await this.db
      .select({ at: sql`min(${webhookDeliveries.nextAttemptAt})`.mapWith(webhookDeliveries.nextAttemptAt) })
      .from(webhookDeliveries)
      .innerJoin(webhookEndpoints, eq(webhookEndpoints.id, webhookDeliveries.endpointId))
      .where(and(eq(webhookDeliveries.status, 'pending'), eq(webhookEndpoints.active, 'yes')));
    const at = row?.at as Date | null | undefined;
    return at ? Math.max(0, at.getTime() - this.clock.now().getTime()) : null;
  }

  /** LISTENs for commits that queued a delivery (`enqueue`'s NOTIFY); `onCommit` runs for each, and when the listen (re)starts. */
  listenForCommits(onCommit: () => void): ChannelListener {
    return listenOnChannel(this.db, LEAD_OUTBOX_CHANNEL, onCommit);
  }

  /** Checked again at every attempt: the address may have changed since the URL was saved. */
  private async post(delivery: ClaimedDelivery): Promise<PostOutcome> {
    if (urlFormProblem(delivery.url, this.allowLoopback)) return { ok: false, statusCode: null, error: OUTCOME.blocked };
    const secret = this.pii.decrypt(delivery.secretEnc);
    const body = JSON.stringify({
      id: delivery.id,
      event: delivery.event,
      createdAt: delivery.createdAt.toISOString(),
      data: delivery.payload,
    });
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'daichao-webhooks/1',
      [SIGNATURE_HEADER]: signPayload(secret, body, Math.floor(this.clock.now().getTime() / 1000)),
      [DELIVERY_HEADER]: delivery.id,
      [EVENT_HEADER]: delivery.event,
    };
    return postJson(delivery.url, headers, body, { resolve: this.resolve, allowLoopback: this.allowLoopback, timeoutMs: this.timeoutMs });
  }

  /** The delivery log for the portal, newest first. */
  async deliveries(institutionId: string, limit = 50): Promise<WebhookDeliveryView[]> {
    return this.db
      .select({
        id: webhookDeliveries.id,
        event: webhookDeliveries.event,
        status: webhookDeliveries.status,
        attempts: webhookDeliveries.attempts,
        lastStatusCode: webhookDeliveries.lastStatusCode,
        lastError: webhookDeliveries.lastError,
        nextAttemptAt: webhookDeliveries.nextAttemptAt,
        deliveredAt: webhookDeliveries.deliveredAt,
        createdAt: webhookDeliveries.createdAt,
      })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.institutionId, institutionId))
      .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
      .limit(Math.min(Math.max(1, Math.floor(limit)), 500));
  }

  /**
   * Sends a pending or failed delivery of this institution at the next run. Attempts are kept, so a
   * failed delivery gets one more try. Another institution's delivery is not found.
   */
  async retryNow(institutionId: string, deliveryId: string): Promise<void> {
    const [row] = await this.db
      .update(webhookDeliveries)
      .set({ status: 'pending', nextAttemptAt: this.clock.now() })
      .where(
        and(
          eq(webhookDeliveries.id, deliveryId),
          eq(webhookDeliveries.institutionId, institutionId),
          inArray(webhookDeliveries.status, ['pending', 'failed']),
        ),
      )
      .returning({ id: webhookDeliveries.id });
    if (row) return;
    const [existing] = await this.db
      .select({ status: webhookDeliveries.status })
      .from(webhookDeliveries)
      .where(and(eq(webhookDeliveries.id, deliveryId), eq(webhookDeliveries.institutionId, institutionId)));
    if (!existing) throw new NotFoundError('投递记录');
    throw new ConflictError('webhook_already_delivered', '该事件已成功投递，无需重试');
  }
}
