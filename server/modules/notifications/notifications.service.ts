import type { Database } from '../../db/client';
import type { AuditActor, AuditService } from '../audit';
import { newId } from '../../lib/ids';
import { maskLogin, type PiiCipher } from '../../lib/pii';
import type { SmsTemplate } from './labels';
import { NotificationsRepository, type NotificationRow, type OutboxRow } from './notifications.repository';
import type { MessageProvider } from './providers';
import type { Clock } from '../../lib/clock';

export type { NotificationRow, OutboxRow } from './notifications.repository';

/** Why a held message was cancelled instead of sent. */
export type CancelReason = 'sms_off' | 'account_closed' | 'expired';

/** Whether the platform may text a consumer at `now`, and if so from when (the end of their quiet hours, or now). */
export type SmsWindow = { allowed: true; notBefore: Date | null } | { allowed: false; reason: Exclude<CancelReason, 'expired'> };
export type SmsPermission = (accountId: string, now: Date) => Promise<SmsWindow>;

/** A held message the release job could not send within this long after its quiet hours ended is cancelled, not sent late. */
export const HELD_MAX_LATENESS_MS = 24 * 3600_000;

/** What replaces a secret in a stored body once a real gateway has it. */
const MASK = '******';

export interface ReleaseResult {
  sent: number;
  failed: number;
  cancelled: number;
  /** the recipient's quiet hours were moved meanwhile: held again until they end */
  postponed: number;
}

export interface NotificationsServiceDeps {
  audit: AuditService;
  clock: Clock;
  db: Database;
  pii: PiiCipher;
  provider: MessageProvider;
}

/** SMS and e-mail through a provider (recorded in the outbox), and in-app notifications. */
export class NotificationsService {
  private readonly store: NotificationsRepository;

  constructor(private readonly deps: NotificationsServiceDeps) {
    this.store = new NotificationsRepository(deps.db);
  }

  /** An operator looks at the outbox: the look is recorded. */
  async outboxForOperator(actor: AuditActor, limit = 100): Promise<OutboxRow[]> {
    const rows = await this.outbox(limit);
    await this.deps.audit.recordNow(actor, { action: 'outbox.viewed', objectType: 'outbox', objectId: null });
    return rows;
  }

  /**
   * Sends now, or holds until `sendAfter` (quiet hours, as of `now`). Returns the outbox id.
   * `accountId` names the consumer the message is for, so a held message is checked against
   * their contact preferences again when it is released. `secrets` (a one-time code, a link
   * token) are masked in the stored body when a real gateway delivers it; a message carrying a
   * secret is never held.
   */
  async sendSms(
    to: string,
    template: SmsTemplate,
    body: string,
    options: { sendAfter?: Date; now?: Date; accountId?: string; secrets?: string[] } = {},
  ): Promise<string> {
    const now = options.now ?? this.deps.clock.now();
    const id = newId('msg');
    const held = options.sendAfter !== undefined && options.sendAfter.getTime() > now.getTime();
    const secrets = (options.secrets ?? []).filter((s) => s.length > 0);
    if (held && secrets.length > 0) throw new Error(`a message carrying a secret (${template}) is sent at once, never held`);
    const stored = this.deps.provider.outboxOnly ? body : secrets.reduce((text, secret) => text.replaceAll(secret, MASK), body);
    await this.store.insertMessage({
      id,
      channel: 'sms',
      recipientEnc: this.deps.pii.encrypt(to),
      recipientMasked: maskLogin(to),
      accountId: options.accountId ?? null,
      template,
      body: stored,
      status: held ? 'held' : 'queued',
      provider: this.deps.provider.name,
      sendAfter: options.sendAfter ?? now,
    });
    if (!held) await this.deliver(id, to, body, now);
    return id;
  }

  private async deliver(id: string, to: string, body: string, now: Date): Promise<boolean> {
    try {
      await this.deps.provider.deliver({ id, channel: 'sms', to, body });
      await this.store.markSent(id, now);
      return true;
    } catch (err) {
      await this.store.markFailed(id, (err as Error).message.slice(0, 500));
      return false;
    }
  }

  /**
   * The `sms-release-held` job: every held message whose quiet hours have ended by `now`, in the
   * order generated, each at most once (a held row is claimed by one conditional update). The
   * recipient's preferences are checked again first: SMS turned off or the account closed
   * meanwhile cancels it (visibly, with the reason); quiet hours moved meanwhile hold it again
   * until they end; a message more than 24 hours late is cancelled as expired rather than sent.
   * Running it again for the same `now` changes nothing.
   */
  async releaseHeld(now: Date, permission: SmsPermission, signal?: AbortSignal): Promise<ReleaseResult> {
    const result: ReleaseResult = { sent: 0, failed: 0, cancelled: 0, postponed: 0 };
    const batch = 200;
    for (;;) {
      const due = await this.store.heldDue(now, batch);
      for (const m of due) {
        if (signal?.aborted) return result;
        const cancel = async (reason: CancelReason) => {
          if (await this.store.cancelIfHeld(m.id, reason)) result.cancelled += 1;
        };
        if (now.getTime() - m.sendAfter.getTime() > HELD_MAX_LATENESS_MS) {
          await cancel('expired');
          continue;
        }
        if (m.accountId) {
          const window = await permission(m.accountId, now);
          if (!window.allowed) {
            await cancel(window.reason);
            continue;
          }
          if (window.notBefore && window.notBefore.getTime() > now.getTime()) {
            if (await this.store.postponeIfHeld(m.id, window.notBefore)) result.postponed += 1;
            continue;
          }
        }
        const claimed = await this.store.claimIfHeld(m.id);
        if (!claimed) continue;
        if (await this.deliver(claimed.id, this.deps.pii.decrypt(claimed.recipientEnc), claimed.body, now)) result.sent += 1;
        else result.failed += 1;
      }
      if (due.length < batch) return result;
    }
  }

  async outbox(limit = 100): Promise<OutboxRow[]> {
    return this.store.recentMessages(limit);
  }

  /** The last message sent to a recipient (for development and tests: read a code from the outbox). */
  async lastSmsTo(to: string): Promise<OutboxRow | undefined> {
    const masked = maskLogin(to);
    const rows = await this.store.recentSmsToMasked(masked, 20);
    return rows.find((r) => this.deps.pii.decrypt(r.recipientEnc) === to);
  }

  async notify(accountId: string, n: { kind: string; title: string; body: string; link?: string }, tx: Database = this.deps.db): Promise<void> {
    await this.store.insertNotification(tx, { id: newId('ntf'), accountId, ...n, link: n.link ?? null });
  }

  /**
   * Notifies once per unread burst: nothing when the account still has an unread notification
   * pointing at the same link (pass the transaction that holds the lock serialising the senders).
   * Returns whether it notified.
   */
  async notifyUnlessUnread(accountId: string, n: { kind: string; title: string; body: string; link: string }, tx: Database = this.deps.db): Promise<boolean> {
    if (await this.store.hasUnreadAt(tx, accountId, n.link)) return false;
    await this.notify(accountId, n, tx);
    return true;
  }

  /** The account has seen what `link` points at: its notifications pointing there are read. */
  async markReadAt(accountId: string, link: string): Promise<void> {
    await this.store.markReadAt(accountId, link);
  }

  async list(accountId: string, limit = 50): Promise<NotificationRow[]> {
    return this.store.listForAccount(accountId, limit);
  }

  async unreadCount(accountId: string): Promise<number> {
    return this.store.unreadCount(accountId);
  }

  async markAllRead(accountId: string): Promise<void> {
    await this.store.markAllRead(accountId);
  }
}
