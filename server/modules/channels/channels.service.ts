import { randomBytes } from 'node:crypto';
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import { queryRows, sqlState, UNIQUE_VIOLATION, type Database } from '../../db/client';
import type { Clock } from '../../lib/clock';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { maskBankCard, maskPhone, type PiiCipher } from '../../lib/pii';
import { withTransaction, type Tx } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import { webhookUrlProblem, type Resolve } from '../webhooks';
import { applications } from '../applications/applications.schema';
import {
  channelAttributions,
  channelLinks,
  channels,
  channelTouches,
  type ChannelStatus,
  type ChannelType,
} from './channels.schema';
import {
  channelCreateSchema,
  channelLinkSchema,
  channelPatchSchema,
  checkInput,
  CHANNEL_CODE,
  CLICK_ID,
  SUB_ID,
  type ChannelCreateInput,
  type ChannelLinkInput,
  type ChannelPatchInput,
  type RegistrationChannel,
} from './channels.input';
import { PostbackOutbox, type PostbackLogEntry, type PostbackRunResult } from './postbacks';

/** Two visits of one visitor through one channel link within this long are one touch. */
export const TOUCH_DEDUP_MINUTES = 30;
export const DEFAULT_ATTRIBUTION_WINDOW_DAYS = 30;

const DEFAULT_HEADLINE = '贷款先比价，再申请';
const DEFAULT_SUBLINE = '多家持牌机构的产品一次比较，利率、额度、期限一目了然';

export interface ChannelSummary {
  id: string;
  code: string;
  name: string;
  type: ChannelType;
  status: ChannelStatus;
  registrations: number;
  applications: number;
  hasPostback: boolean;
  createdAt: Date;
}

/** A channel as operators see it: personal and financial data masked, never the postback secret. */
export interface ChannelView {
  id: string;
  code: string;
  name: string;
  type: ChannelType;
  status: ChannelStatus;
  contactName: string;
  contactPhoneMasked: string;
  contactEmail: string;
  settlementAccountName: string;
  settlementBank: string;
  settlementAccountMasked: string;
  postbackUrl: string | null;
  hasPostbackSecret: boolean;
  notes: string;
  createdAt: Date;
  updatedAt: Date;
}

export interface ChannelLinkView {
  id: string;
  channelId: string;
  subId: string;
  label: string;
  landingHeadline: string;
  landingSubline: string;
  status: 'active' | 'archived';
  createdAt: Date;
  /** `<PUBLIC_URL>/?ch=<code>&sub=<subId>`: any consumer page with the parameters records the visit */
  trackingUrl: string;
  /** `<PUBLIC_URL>/c/<code>/<subId>`: the H5 landing page with the registration form */
  landingUrl: string;
}

/** What the H5 landing page shows. */
export interface Landing {
  channelId: string;
  code: string;
  subId: string;
  headline: string;
  subline: string;
}

export interface TouchInput {
  code: string;
  subId?: string;
  clickId?: string;
  /** the pseudonymous visitor key (server/http/visitor.ts) */
  visitor: string;
  device?: string;
  landingPath?: string;
  /** default now (the demo seed backdates its traffic) */
  at?: Date;
}

export interface AttributionInput {
  visitor: string;
  device: string;
  /** an app's registration may name its channel: recorded as a touch at this moment, then the rule applies */
  channel?: RegistrationChannel;
  /** default now (the demo seed backdates) */
  at?: Date;
}

export interface Attribution {
  accountId: string;
  channelId: string;
  subId: string;
  clickId: string;
  touchId: number | null;
  touchedAt: Date;
  attributedAt: Date;
  device: string;
}

export interface ChannelsServiceDeps {
  db: Database;
  pii: PiiCipher;
  audit: AuditService;
  clock: Clock;
  /** the attribution window in days (setting `channels.attributionWindowDays`) */
  attributionWindowDays: () => Promise<number>;
  /** PUBLIC_URL, for the links operators copy */
  publicUrl: string;
  /** postback URLs may be http://127.0.0.1 (WEBHOOK_ALLOW_LOOPBACK, local testing only) */
  allowLoopback?: boolean;
  resolve?: Resolve;
  /** per postback, connect to end of the response headers (default 5000 ms) */
  timeoutMs?: number;
}

function maskContactPhone(phone: string): string {
  if (/^1\d{10}$/.test(phone)) return maskPhone(phone);
  const [area, number] = phone.includes('-') ? phone.split('-') : [phone.slice(0, 4), phone.slice(4)];
  return `${area}-****${(number ?? '').slice(-4)}`;
}

const summaryColumns = {
  id: channels.id,
  code: channels.code,
  name: channels.name,
  type: channels.type,
  status: channels.status,
  postbackUrl: channels.postbackUrl,
  createdAt: channels.createdAt,
};

/**
 * 渠道 (acquisition): channel partners and their tracking links, visits that arrive through them
 * (touches), the one attribution of each borrower decided at registration, and signed postbacks
 * of the conversions that follow. Channel payouts and analytics read what this module writes.
 */
export class ChannelsService {
  private readonly db: Database;
  private readonly pii: PiiCipher;
  private readonly audit: AuditService;
  private readonly clock: Clock;
  private readonly allowLoopback: boolean;
  private readonly resolve: Resolve | undefined;
  /** the postback outbox: enqueue conversions, deliver them, the delivery log */
  readonly postbacks: PostbackOutbox;

  constructor(private readonly deps: ChannelsServiceDeps) {
    this.db = deps.db;
    this.pii = deps.pii;
    this.audit = deps.audit;
    this.clock = deps.clock;
    this.allowLoopback = deps.allowLoopback ?? false;
    this.resolve = deps.resolve;
    this.postbacks = new PostbackOutbox({ db: deps.db, pii: deps.pii, clock: deps.clock, allowLoopback: this.allowLoopback, resolve: deps.resolve, timeoutMs: deps.timeoutMs });
  }

  // ---- channels -------------------------------------------------------------------------------

  /** Every channel, newest first, with its registrations (attributed accounts) and their applications. */
  async list(): Promise<ChannelSummary[]> {
    const rows = await this.db
      .select({
        ...summaryColumns,
        registrations: sql<number>`(select count(*)::int from ${channelAttributions} where ${channelAttributions.channelId} = ${channels.id})`,
        applications: sql<number>`(select count(*)::int from ${applications} join ${channelAttributions} on ${channelAttributions.accountId} = ${applications.consumerId} where ${channelAttributions.channelId} = ${channels.id})`,
      })
      .from(channels)
      .orderBy(desc(channels.createdAt), asc(channels.code));
    return rows.map(({ postbackUrl, ...r }) => ({ ...r, hasPostback: postbackUrl !== null }));
  }

  /** One channel, masked. 404 when there is none. */
  async get(id: string): Promise<ChannelView> {
    const [row] = await this.db.select().from(channels).where(eq(channels.id, id));
    if (!row) throw new NotFoundError('渠道');
    return this.view(row);
  }

  private view(row: typeof channels.$inferSelect): ChannelView {
    return {
      id: row.id,
      code: row.code,
      name: row.name,
      type: row.type,
      status: row.status,
      contactName: row.contactName,
      contactPhoneMasked: row.contactPhoneMasked,
      contactEmail: row.contactEmail,
      settlementAccountName: row.settlementAccountName,
      settlementBank: row.settlementBank,
      settlementAccountMasked: row.settlementAccountMasked,
      postbackUrl: row.postbackUrl,
      hasPostbackSecret: row.postbackSecretEnc !== null,
      notes: row.notes,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  private async checkPostbackUrl(url: string): Promise<void> {
    if (url === '') return;
    const problem = await webhookUrlProblem(url, { allowLoopback: this.allowLoopback, resolve: this.resolve });
    if (problem) throw new ValidationError('回传地址无效', { postbackUrl: problem.replace('回调地址', '回传地址') });
  }

  private newSecret(): string {
    return `chsec_${randomBytes(32).toString('base64url')}`;
  }

  /**
   * Onboards a channel partner (audited). The contact phone and the settlement account number are
   * sealed and kept masked for display. With a postback URL a signing secret is generated and
   * returned here only (`postbackSecret`); it is never shown again.
   */
  async create(input: ChannelCreateInput, actor: AuditActor): Promise<{ channel: ChannelView; postbackSecret: string | null }> {
    const v = checkInput(channelCreateSchema, input, '渠道信息有误');
    await this.checkPostbackUrl(v.postbackUrl);
    const secret = v.postbackUrl ? this.newSecret() : null;
    const at = this.clock.now();
    try {
      const row = await withTransaction(this.db, async (tx) => {
        const [created] = await tx
          .insert(channels)
          .values({
            id: newId('chn'),
            code: v.code,
            name: v.name,
            type: v.type,
            status: 'active',
            contactName: v.contactName,
            contactPhoneEnc: v.contactPhone ? this.pii.encrypt(v.contactPhone) : null,
            contactPhoneMasked: v.contactPhone ? maskContactPhone(v.contactPhone) : '',
            contactEmail: v.contactEmail,
            settlementAccountName: v.settlementAccountName,
            settlementBank: v.settlementBank,
            settlementAccountEnc: v.settlementAccountNumber ? this.pii.encrypt(v.settlementAccountNumber) : null,
            settlementAccountMasked: v.settlementAccountNumber ? maskBankCard(v.settlementAccountNumber) : '',
            postbackUrl: v.postbackUrl || null,
            postbackSecretEnc: secret ? this.pii.encrypt(secret) : null,
            notes: v.notes,
            createdBy: actor.id ?? null,
            createdAt: at,
            updatedAt: at,
          })
          .returning();
        await this.audit.record(
          actor,
          { action: 'channel.created', objectType: 'channel', objectId: created!.id, detail: { code: v.code, name: v.name, type: v.type, postback: Boolean(v.postbackUrl) } },
          tx,
        );
        return created!;
      });
      return { channel: this.view(row), postbackSecret: secret };
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new ConflictError('channel_code_taken', '渠道代码已被使用', { code: `渠道代码 ${v.code} 已被使用（代码不可重复使用）` });
      throw err;
    }
  }

  /**
   * Changes the given fields (audited with the names of the fields changed, never their values).
   * A status change to paused or terminated stops new touches and attributions at once. Setting a
   * postback URL on a channel that has no secret yet generates one, returned here only.
   */
  async update(id: string, input: ChannelPatchInput, actor: AuditActor): Promise<{ channel: ChannelView; postbackSecret: string | null }> {
    const v = checkInput(channelPatchSchema, input, '渠道信息有误');
    if (v.postbackUrl !== undefined) await this.checkPostbackUrl(v.postbackUrl);
    return withTransaction(this.db, async (tx) => {
      const [current] = await tx.select().from(channels).where(eq(channels.id, id)).for('update');
      if (!current) throw new NotFoundError('渠道');
      const set: Partial<typeof channels.$inferInsert> = {};
      const changed: string[] = [];
      const put = <K extends keyof typeof channels.$inferInsert>(field: string, key: K, value: (typeof channels.$inferInsert)[K], same: boolean) => {
        if (same) return;
        set[key] = value;
        if (!changed.includes(field)) changed.push(field);
      };
      if (v.name !== undefined) put('name', 'name', v.name, v.name === current.name);
      if (v.type !== undefined) put('type', 'type', v.type, v.type === current.type);
      if (v.status !== undefined) put('status', 'status', v.status, v.status === current.status);
      if (v.contactName !== undefined) put('contactName', 'contactName', v.contactName, v.contactName === current.contactName);
      if (v.contactEmail !== undefined) put('contactEmail', 'contactEmail', v.contactEmail, v.contactEmail === current.contactEmail);
      if (v.settlementAccountName !== undefined) put('settlementAccountName', 'settlementAccountName', v.settlementAccountName, v.settlementAccountName === current.settlementAccountName);
      if (v.settlementBank !== undefined) put('settlementBank', 'settlementBank', v.settlementBank, v.settlementBank === current.settlementBank);
      if (v.notes !== undefined) put('notes', 'notes', v.notes, v.notes === current.notes);
      if (v.contactPhone !== undefined) {
        const same = v.contactPhone === '' ? current.contactPhoneEnc === null : current.contactPhoneEnc !== null && this.pii.decrypt(current.contactPhoneEnc) === v.contactPhone;
        put('contactPhone', 'contactPhoneEnc', v.contactPhone ? this.pii.encrypt(v.contactPhone) : null, same);
        put('contactPhone', 'contactPhoneMasked', v.contactPhone ? maskContactPhone(v.contactPhone) : '', same);
      }
      if (v.settlementAccountNumber !== undefined) {
        const n = v.settlementAccountNumber;
        const same = n === '' ? current.settlementAccountEnc === null : current.settlementAccountEnc !== null && this.pii.decrypt(current.settlementAccountEnc) === n;
        put('settlementAccountNumber', 'settlementAccountEnc', n ? this.pii.encrypt(n) : null, same);
        put('settlementAccountNumber', 'settlementAccountMasked', n ? maskBankCard(n) : '', same);
      }
      let secret: string | null = null;
      if (v.postbackUrl !== undefined) {
        put('postbackUrl', 'postbackUrl', v.postbackUrl || null, (v.postbackUrl || null) === current.postbackUrl);
        if (v.postbackUrl && current.postbackSecretEnc === null) {
          secret = this.newSecret();
          set.postbackSecretEnc = this.pii.encrypt(secret);
        }
      }
      if (changed.length === 0) return { channel: this.view(current), postbackSecret: null };
      const [row] = await tx
        .update(channels)
        .set({ ...set, updatedAt: this.clock.now() })
        .where(eq(channels.id, id))
        .returning();
      const statusChanged = changed.includes('status');
      await this.audit.record(
        actor,
        {
          action: statusChanged && changed.length === 1 ? 'channel.status_changed' : 'channel.updated',
          objectType: 'channel',
          objectId: id,
          detail: { code: current.code, fields: changed, ...(statusChanged ? { from: current.status, to: v.status } : {}) },
        },
        tx,
      );
      return { channel: this.view(row!), postbackSecret: secret };
    });
  }

  /** active ↔ paused, or terminated (audited). A paused or terminated channel records no touches and attributes no one. */
  async setStatus(id: string, status: ChannelStatus, actor: AuditActor): Promise<ChannelView> {
    return (await this.update(id, { status }, actor)).channel;
  }

  /** A new postback signing secret, returned here only (audited); the old one stops working at once. */
  async rotatePostbackSecret(id: string, actor: AuditActor): Promise<string> {
    const secret = this.newSecret();
    await withTransaction(this.db, async (tx) => {
      const [row] = await tx
        .update(channels)
        .set({ postbackSecretEnc: this.pii.encrypt(secret), updatedAt: this.clock.now() })
        .where(eq(channels.id, id))
        .returning({ code: channels.code });
      if (!row) throw new NotFoundError('渠道');
      await this.audit.record(actor, { action: 'channel.postback_secret_rotated', objectType: 'channel', objectId: id, detail: { code: row.code } }, tx);
    });
    return secret;
  }

  // ---- tracking links -------------------------------------------------------------------------

  private linkView(code: string, row: typeof channelLinks.$inferSelect): ChannelLinkView {
    const base = this.deps.publicUrl.replace(/\/+$/, '');
    return {
      ...row,
      trackingUrl: `${base}/?ch=${code}${row.subId ? `&sub=${row.subId}` : ''}`,
      landingUrl: `${base}/c/${code}${row.subId ? `/${row.subId}` : ''}`,
    };
  }

  /** The channel's links, active first, then by sub-ID. 404 when the channel does not exist. */
  async links(channelId: string): Promise<ChannelLinkView[]> {
    const channel = await this.get(channelId);
    const rows = await this.db.select().from(channelLinks).where(eq(channelLinks.channelId, channelId)).orderBy(asc(channelLinks.status), asc(channelLinks.subId));
    return rows.map((r) => this.linkView(channel.code, r));
  }

  /** A tracking link per sub-ID ('' = the bare channel link) with its landing page's headline (audited); 409 when the sub-ID has one. */
  async createLink(channelId: string, input: ChannelLinkInput, actor: AuditActor): Promise<ChannelLinkView> {
    const v = checkInput(channelLinkSchema, input, '推广链接信息有误');
    const channel = await this.get(channelId);
    try {
      const row = await withTransaction(this.db, async (tx) => {
        const [created] = await tx
          .insert(channelLinks)
          .values({ id: newId('chl'), channelId, subId: v.subId, label: v.label, landingHeadline: v.landingHeadline, landingSubline: v.landingSubline, status: 'active', createdAt: this.clock.now() })
          .returning();
        await this.audit.record(actor, { action: 'channel_link.created', objectType: 'channel_link', objectId: created!.id, detail: { channelId, code: channel.code, subId: v.subId } }, tx);
        return created!;
      });
      return this.linkView(channel.code, row);
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) {
        throw new ConflictError('channel_link_exists', '该子渠道 ID 已有推广链接', { subId: v.subId ? `子渠道 ID ${v.subId} 已有推广链接` : '该渠道已有不带子渠道 ID 的链接' });
      }
      throw err;
    }
  }

  /** Archives a link (audited): its landing page no longer opens; visits with `?ch=` still count while the channel is active. */
  async archiveLink(channelId: string, linkId: string, actor: AuditActor): Promise<ChannelLinkView> {
    const channel = await this.get(channelId);
    return withTransaction(this.db, async (tx) => {
      const [row] = await tx.select().from(channelLinks).where(and(eq(channelLinks.id, linkId), eq(channelLinks.channelId, channelId))).for('update');
      if (!row) throw new NotFoundError('推广链接');
      if (row.status === 'archived') throw new ConflictError('channel_link_archived', '该推广链接已归档');
      const [updated] = await tx.update(channelLinks).set({ status: 'archived' }).where(eq(channelLinks.id, linkId)).returning();
      await this.audit.record(actor, { action: 'channel_link.archived', objectType: 'channel_link', objectId: linkId, detail: { channelId, code: channel.code, subId: row.subId } }, tx);
      return this.linkView(channel.code, updated!);
    });
  }

  /** The landing page of an active link of an active channel, or undefined (the page then sends the visitor to /register). */
  async landing(code: string, subId: string): Promise<Landing | undefined> {
    if (!CHANNEL_CODE.test(code) || !SUB_ID.test(subId)) return undefined;
    const [row] = await this.db
      .select({ channelId: channels.id, code: channels.code, subId: channelLinks.subId, headline: channelLinks.landingHeadline, subline: channelLinks.landingSubline })
      .from(channelLinks)
      .innerJoin(channels, eq(channels.id, channelLinks.channelId))
      .where(and(eq(channels.code, code), eq(channels.status, 'active'), eq(channelLinks.subId, subId), eq(channelLinks.status, 'active')));
    if (!row) return undefined;
    return { ...row, headline: row.headline || DEFAULT_HEADLINE, subline: row.subline || DEFAULT_SUBLINE };
  }

  // ---- touches and attribution ----------------------------------------------------------------

  /**
   * Records a visit through a channel link: one statement, inserting only when the code names an
   * active channel and the same visitor has no touch of the same channel and sub-ID in the last
   * 30 minutes. A malformed code or sub-ID records nothing; a malformed click id is dropped.
   * True when a touch was recorded. Never throws for bad input.
   */
  async recordTouch(input: TouchInput, tx: Database = this.db): Promise<boolean> {
    return (await this.recordTouches([input], tx)) > 0;
  }

  /**
   * `recordTouch` for many visits in one statement (the demo seed's month of traffic), with the
   * same rules as if they were recorded one by one in the order given: the 30-minute
   * deduplication holds against the recorded touches and against the earlier ones of the batch.
   * Returns how many were recorded.
   */
  async recordTouches(inputs: readonly TouchInput[], tx: Database = this.db): Promise<number> {
    const dedupMs = TOUCH_DEDUP_MINUTES * 60_000;
    const kept = new Map<string, number[]>(); // code, sub-ID and visitor → the batch's earlier touch times
    const rows: { ord: number; visitor: string; code: string; sub_id: string; click_id: string; landing_path: string; device: string; touched_at: string }[] = [];
    for (const input of inputs) {
      const subId = input.subId ?? '';
      if (!CHANNEL_CODE.test(input.code) || !SUB_ID.test(subId) || !input.visitor) continue;
      const at = input.at ?? this.clock.now();
      const key = JSON.stringify([input.code, subId, input.visitor]);
      const earlier = kept.get(key) ?? [];
      if (earlier.some((t) => t > at.getTime() - dedupMs && t <= at.getTime())) continue;
      kept.set(key, [...earlier, at.getTime()]);
      rows.push({
        ord: rows.length,
        visitor: input.visitor,
        code: input.code,
        sub_id: subId,
        click_id: input.clickId && CLICK_ID.test(input.clickId) ? input.clickId : '',
        landing_path: (input.landingPath ?? '/').slice(0, 200),
        device: input.device ?? '',
        touched_at: at.toISOString(),
      });
    }
    if (rows.length === 0) return 0;
    const recorded = await queryRows<{ id: number }>(
      tx,
      sql`insert into ${channelTouches} (visitor, channel_id, sub_id, click_id, landing_path, device, touched_at)
          select r.visitor, c.id, r.sub_id, r.click_id, r.landing_path, r.device, r.touched_at
            from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
                   as r(ord int, visitor text, code text, sub_id text, click_id text, landing_path text, device text, touched_at timestamptz)
            join ${channels} c on c.code = r.code and c.status = 'active'
           where not exists (
               select 1 from ${channelTouches} t
                where t.visitor = r.visitor and t.channel_id = c.id and t.sub_id = r.sub_id
                  and t.touched_at > r.touched_at - make_interval(mins => ${TOUCH_DEDUP_MINUTES})
                  and t.touched_at <= r.touched_at)
           order by r.ord
          returning id`,
    );
    return recorded.length;
  }

  /**
   * The attribution rule, applied at registration: among the visitor's
   * touches in the window [now − N days, now] (N = `channels.attributionWindowDays`, default 30)
   * whose channel is active now, the earliest (by time, then by id) names the channel, sub-ID and
   * click id. One row per account (primary key, `ON CONFLICT DO NOTHING`): an account is never
   * attributed twice, whatever door or order. No touch in the window → no attribution. An app's
   * `channel` in the registration is first recorded as a touch at this moment (no 30-minute
   * deduplication), so an earlier touch in the window still wins over it.
   *
   * Given as a step to run inside the registration's transaction: the window setting is read now,
   * before the transaction opens (PGlite has one connection: no read outside an open transaction),
   * and the step then only reads and writes through `tx`.
   */
  async attributionStep(input: AttributionInput): Promise<(tx: Tx, accountId: string) => Promise<Attribution | null>> {
    const windowDays = await this.deps.attributionWindowDays();
    return (tx, accountId) => this.attributeIn(tx, accountId, input, windowDays);
  }

  private async attributeIn(tx: Database, accountId: string, input: AttributionInput, windowDays: number): Promise<Attribution | null> {
    const now = input.at ?? this.clock.now();
    const at = now.toISOString();
    if (input.channel && input.visitor) {
      await tx.execute(
        sql`insert into ${channelTouches} (visitor, channel_id, sub_id, click_id, landing_path, device, touched_at)
            select ${input.visitor}, c.id, ${input.channel.sub ?? ''}, ${input.channel.clickId ?? ''}, ${'api:register'}, ${input.device}, ${at}::timestamptz
              from ${channels} c where c.code = ${input.channel.code} and c.status = 'active'`,
      );
    }
    if (!input.visitor) return null;
    const rows = await queryRows<{ channel_id: string }>(
      tx,
      sql`insert into ${channelAttributions} (account_id, channel_id, sub_id, click_id, touch_id, touched_at, attributed_at, device)
          select ${accountId}, t.channel_id, t.sub_id, t.click_id, t.id, t.touched_at, ${at}::timestamptz, ${input.device}
            from ${channelTouches} t join ${channels} c on c.id = t.channel_id and c.status = 'active'
           where t.visitor = ${input.visitor}
             and t.touched_at >= ${at}::timestamptz - make_interval(days => ${windowDays})
             and t.touched_at <= ${at}::timestamptz
           order by t.touched_at asc, t.id asc
           limit 1
          on conflict (account_id) do nothing
          returning channel_id`,
    );
    if (rows.length === 0) return null;
    return (await this.attributionOf(accountId, tx)) ?? null;
  }

  /**
   * The same rule outside a registration (the demo seed, a backfill): in its own transaction. Never
   * changes an existing attribution.
   */
  async attribute(accountId: string, input: AttributionInput): Promise<Attribution | null> {
    const windowDays = await this.deps.attributionWindowDays();
    return withTransaction(this.db, (tx) => this.attributeIn(tx, accountId, input, windowDays));
  }

  /** The account's attribution, if any. */
  async attributionOf(accountId: string, db: Database = this.db): Promise<Attribution | undefined> {
    const [row] = await db.select().from(channelAttributions).where(eq(channelAttributions.accountId, accountId));
    return row;
  }

  // ---- postbacks ------------------------------------------------------------------------------

  /** Queues the conversions since the watermark (re-reading a trailing window) for channels with a postback URL. */
  enqueuePostbacks(now = this.clock.now()): Promise<number> {
    return this.postbacks.enqueue(now);
  }

  /** Posts up to `limit` due postbacks. Safe from several workers at once. */
  deliverPostbacks(limit = 20): Promise<PostbackRunResult> {
    return this.postbacks.deliverDue(limit);
  }

  /**
   * Posts a pending or given-up postback again at the next delivery run (audited); a given-up one
   * gets one more try. 404 when the channel has no such postback, 409 when it was delivered.
   */
  async retryPostback(channelId: string, postbackId: string, actor: AuditActor): Promise<PostbackLogEntry> {
    const channel = await this.get(channelId);
    const done = await this.postbacks.retry(channelId, postbackId);
    if (done === undefined) throw new NotFoundError('回传记录');
    if (!done) throw new ConflictError('postback_delivered', '该回传已送达，无需重试');
    await withTransaction(this.db, (tx) =>
      this.audit.record(actor, { action: 'channel.postback_retried', objectType: 'channel', objectId: channelId, detail: { code: channel.code, postbackId } }, tx),
    );
    const [entry] = await this.postbacks.log(channelId, 1, postbackId);
    return entry!;
  }

  /** The channel's postback delivery log, newest first, each with its attempts (for the admin page and the channel portal). */
  async postbackLog(channelId: string, options: { limit?: number } = {}): Promise<PostbackLogEntry[]> {
    await this.get(channelId);
    return this.postbacks.log(channelId, options.limit ?? 50);
  }
}
