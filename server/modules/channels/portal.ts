import { randomBytes } from 'node:crypto';
import { and, asc, count, desc, eq, gte, lt } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { NotFoundError, ValidationError } from '../../lib/errors';
import { shanghaiDate } from '../../lib/shanghai-date';
import type { AccountsService, SessionAccount } from '../accounts';
import { accounts } from '../accounts/accounts.schema';
import { channelRoles, roleLabels, type ChannelRole } from '../accounts';
import type { AuditActor, AuditService } from '../audit';
import { channelAttributions, channelLinks, channels, channelTouches, channelStatusLabels, channelTypeLabels } from './channels.schema';
import { conversionsBetween, type ConversionKind } from './conversions';

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
  accounts: AccountsService;
  audit: AuditService;
  publicUrl?: string;
}

/**
 * What a channel partner's staff see of their own channel (`/channel`, `/api/channel/v1`): the
 * channel, its links, its funnel by day and sub-ID. Counts only: no borrower's personal data ever
 * reaches a channel. Every method takes the caller's channel id; another channel's object is a 404.
 * Also the operators' side of channel staff: accounts with a one-time password.
 */
export class ChannelPortal {
  constructor(private readonly deps: ChannelPortalDeps) {}

  async channel(channelId: string) {
    const [row] = await this.deps.db
      .select({ id: channels.id, code: channels.code, name: channels.name, type: channels.type, status: channels.status, createdAt: channels.createdAt })
      .from(channels)
      .where(eq(channels.id, channelId));
    if (!row) throw new NotFoundError('渠道');
    return { ...row, typeLabel: channelTypeLabels[row.type], statusLabel: channelStatusLabels[row.status] };
  }

  /** The channel's tracking links with the URLs to use (the site link with `ch`/`sub`, and the H5 landing page). */
  async links(channelId: string) {
    const channel = await this.channel(channelId);
    const base = (this.deps.publicUrl ?? '').replace(/\/$/, '');
    const rows = await this.deps.db.select().from(channelLinks).where(eq(channelLinks.channelId, channelId)).orderBy(asc(channelLinks.createdAt), asc(channelLinks.subId));
    return rows.map((l) => {
      const query = new URLSearchParams({ ch: channel.code, ...(l.subId ? { sub: l.subId } : {}) });
      return {
        id: l.id,
        subId: l.subId,
        label: l.label,
        status: l.status,
        landingHeadline: l.landingHeadline,
        createdAt: l.createdAt,
        siteUrl: `${base}/?${query}`,
        landingUrl: `${base}/c/${channel.code}${l.subId ? `/${encodeURIComponent(l.subId)}` : ''}`,
      };
    });
  }

  /** Visits and conversions of the channel in [start, end), by Shanghai day or by sub-ID. */
  async funnel(channelId: string, range: { start: Date; end: Date; days: readonly string[] }, grouping: FunnelGrouping): Promise<{ rows: FunnelRow[]; total: FunnelRow }> {
    await this.channel(channelId);
    const [visits, conversions] = await Promise.all([
      this.deps.db
        .select({ at: channelTouches.touchedAt, subId: channelTouches.subId })
        .from(channelTouches)
        .where(and(eq(channelTouches.channelId, channelId), gte(channelTouches.touchedAt, range.start), lt(channelTouches.touchedAt, range.end))),
      conversionsBetween(this.deps.db, { from: range.start, to: range.end, channelId }),
    ]);
    return funnelRows(grouping, range.days, visits, conversions);
  }

  /** Every channel, for operators' pickers (no contact or settlement data). */
  async allChannels() {
    const rows = await this.deps.db.select({ id: channels.id, code: channels.code, name: channels.name, type: channels.type, status: channels.status }).from(channels).orderBy(asc(channels.name));
    return rows.map((r) => ({ ...r, typeLabel: channelTypeLabels[r.type], statusLabel: channelStatusLabels[r.status] }));
  }

  // ── channel staff (operators) ─────────────────────────────────────────────
  /** The channel's staff accounts (operators' view). */
  async staff(channelId: string) {
    await this.channel(channelId);
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
    await this.channel(channelId);
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

  /** How many staff a channel has (for lists). */
  async staffCount(channelId: string): Promise<number> {
    const [row] = await this.deps.db.select({ n: count() }).from(accounts).where(and(eq(accounts.kind, 'channel'), eq(accounts.channelId, channelId)));
    return Number(row?.n ?? 0);
  }

  /** Attributed borrowers of the channel (a count; for the portal's header). */
  async attributedCount(channelId: string): Promise<number> {
    const [row] = await this.deps.db.select({ n: count() }).from(channelAttributions).where(eq(channelAttributions.channelId, channelId));
    return Number(row?.n ?? 0);
  }
}
