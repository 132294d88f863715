import { randomBytes } from 'node:crypto';
import { and, count, desc, eq, gte, lt } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { ValidationError } from '../../lib/errors';
import { shanghaiDate } from '../../lib/shanghai-date';
import type { AccountsService, SessionAccount } from '../accounts';
import { accounts } from '../accounts/accounts.schema';
import { channelRoles, roleLabels, type ChannelRole } from '../accounts';
import type { AuditActor, AuditService } from '../audit';
import type { ChannelsService } from './channels.service';
import { channelAttributions, channelTouches, channelStatusLabels, channelTypeLabels, postbackStatusLabels } from './channels.schema';
import { conversionKindLabels, conversionsBetween, type ConversionKind } from './conversions';

/** One row of a channel's funnel: counts only, never a borrower. */
export interface FunnelRow {
  key: string;
  visits: number;
  registrations: number;
  verified: number;
  applications: number;
  approvals: number;
  disbursements: number;
}

export type FunnelGrouping = 'day' | 'sub';

const emptyRow = (key: string): FunnelRow => ({ key, visits: 0, registrations: 0, verified: 0, applications: 0, approvals: 0, disbursements: 0 });
const column: Record<ConversionKind, keyof Omit<FunnelRow, 'key' | 'visits'>> = {
  registration: 'registrations',
  verified_registration: 'verified',
  application: 'applications',
  approval: 'approvals',
  disbursement: 'disbursements',
};

/** Adds the visits and the conversions into rows keyed by Shanghai day or sub-ID; every day of `days` gets a row when grouping by day. */
export function funnelRows(
  grouping: FunnelGrouping,
  days: readonly string[],
  visits: readonly { at: Date; subId: string }[],
  conversions: readonly { kind: ConversionKind; at: Date; subId: string }[],
): { rows: FunnelRow[]; total: FunnelRow } {
  const rows = new Map<string, FunnelRow>();
  if (grouping === 'day') for (const d of days) rows.set(d, emptyRow(d));
  const keyOf = (e: { at: Date; subId: string }) => (grouping === 'day' ? shanghaiDate(e.at) : e.subId);
  const rowFor = (key: string) => rows.get(key) ?? rows.set(key, emptyRow(key)).get(key)!;
  const total = emptyRow('total');
  for (const v of visits) {
    rowFor(keyOf(v)).visits++;
    total.visits++;
  }
  for (const c of conversions) {
    rowFor(keyOf(c))[column[c.kind]]++;
    total[column[c.kind]]++;
  }
  const list = [...rows.values()];
  list.sort(grouping === 'day' ? (a, b) => a.key.localeCompare(b.key) : (a, b) => b.visits - a.visits || a.key.localeCompare(b.key));
  return { rows: list, total };
}

export interface ChannelPortalDeps {
  db: Database;
  channels: ChannelsService;
  accounts: AccountsService;
  audit: AuditService;
}

/**
 * What a channel partner's staff see of their own channel (`/channel`, `/api/channel/v1`): the
 * channel, its links, its funnel by day and sub-ID, its postback log. Counts only: no borrower's
 * personal data ever reaches a channel. Every method takes the caller's channel id; another
 * channel's object is a 404. Also the operators' side of channel staff: accounts with a one-time
 * password.
 */
export class ChannelPortal {
  constructor(private readonly deps: ChannelPortalDeps) {}

  /** The channel as its partner sees it: no contacts, settlement account or postback secret. */
  async channel(channelId: string) {
    const c = await this.deps.channels.get(channelId);
    return { id: c.id, code: c.code, name: c.name, type: c.type, status: c.status, typeLabel: channelTypeLabels[c.type], statusLabel: channelStatusLabels[c.status], hasPostback: c.postbackUrl !== null };
  }

  /** The channel's tracking links with the URLs to use (any page with `ch`/`sub`, and the H5 landing page). */
  async links(channelId: string) {
    return (await this.deps.channels.links(channelId)).map((l) => ({
      id: l.id,
      subId: l.subId,
      label: l.label,
      status: l.status,
      landingHeadline: l.landingHeadline,
      createdAt: l.createdAt,
      trackingUrl: l.trackingUrl,
      landingUrl: l.landingUrl,
    }));
  }

  /** The postbacks sent to the channel (events and the channel's own click ids, never a borrower), newest first. */
  async postbacks(channelId: string, limit = 100) {
    return (await this.deps.channels.postbackLog(channelId, { limit })).map((p) => ({ ...p, eventLabel: conversionKindLabels[p.event], statusLabel: postbackStatusLabels[p.status] }));
  }

  /** Visits and conversions of the channel in [start, end), by Shanghai day or by sub-ID. */
  async funnel(channelId: string, range: { start: Date; end: Date; days: readonly string[] }, grouping: FunnelGrouping): Promise<{ rows: FunnelRow[]; total: FunnelRow }> {
    await this.deps.channels.get(channelId);
    const [visits, conversions] = await Promise.all([
      this.deps.db
        .select({ at: channelTouches.touchedAt, subId: channelTouches.subId })
        .from(channelTouches)
        .where(and(eq(channelTouches.channelId, channelId), gte(channelTouches.touchedAt, range.start), lt(channelTouches.touchedAt, range.end))),
      conversionsBetween(this.deps.db, { from: range.start, to: range.end, channelId }),
    ]);
    return funnelRows(grouping, range.days, visits, conversions);
  }

  // ── channel staff (operators) ─────────────────────────────────────────────
  /** The channel's staff accounts (operators' view). */
  async staff(channelId: string) {
    await this.deps.channels.get(channelId);
    const rows = await this.deps.db
      .select({ id: accounts.id, loginMasked: accounts.loginMasked, role: accounts.role, status: accounts.status, lastLoginAt: accounts.lastLoginAt, createdAt: accounts.createdAt })
      .from(accounts)
      .where(and(eq(accounts.kind, 'channel'), eq(accounts.channelId, channelId)))
      .orderBy(desc(accounts.createdAt));
    return rows.map((r) => ({ ...r, roleLabel: roleLabels[r.role as ChannelRole] ?? r.role }));
  }

  /**
   * An operator gives a channel partner's person a login: a one-time password shown once (they
   * must set their own at first login; the channel admin must also set up two-step verification).
   */
  async createStaff(channelId: string, input: { username: string; displayName: string; role: string }, actor: AuditActor): Promise<{ account: SessionAccount; oneTimePassword: string }> {
    await this.deps.channels.get(channelId);
    const fields: Record<string, string> = {};
    const username = input.username.trim();
    if (!/^[a-z0-9][a-z0-9._-]{2,31}$/.test(username)) fields.username = '用户名 3–32 位：小写字母、数字、点、下划线或短横线';
    if (input.displayName.trim().length < 1 || input.displayName.trim().length > 30) fields.displayName = '请填写姓名（最多 30 字）';
    if (!(channelRoles as readonly string[]).includes(input.role)) fields.role = '请选择角色';
    if (Object.keys(fields).length) throw new ValidationError('渠道账号信息有误', fields);
    const oneTimePassword = `Ch-${randomBytes(9).toString('base64url')}-9`;
    const account = await this.deps.accounts.createStaff({
      kind: 'channel',
      username,
      password: oneTimePassword,
      displayName: input.displayName.trim(),
      role: input.role as ChannelRole,
      channelId,
      mustChangePassword: true,
    });
    await this.deps.audit.recordNow(actor, { action: 'channel_staff.created', objectType: 'account', objectId: account.id, detail: { channelId, role: input.role } });
    return { account, oneTimePassword };
  }

  /** Attributed borrowers of the channel (a count; for the portal's header). */
  async attributedCount(channelId: string): Promise<number> {
    const [row] = await this.deps.db.select({ n: count() }).from(channelAttributions).where(eq(channelAttributions.channelId, channelId));
    return Number(row?.n ?? 0);
  }
}
