import { withTransaction } from '../../lib/tx';
import { Secret, TOTP } from 'otpauth';
import type { Database } from '../../db/client';
import { ConflictError, LoginThrottledError, UnauthenticatedError, ValidationError } from '../../lib/errors';
import type { PiiCipher } from '../../lib/pii';
import type { AuditActor, AuditService } from '../audit';
import { AccountsRepository } from './accounts.repository';
import type { SessionAccount } from './accounts.service';
import { minutesText, totpKey, type LoginThrottle } from './login-throttle';
import type { Clock } from '../../lib/clock';

const PERIOD = 30;
const totpFor = (secret: string, label: string) => new TOTP({ issuer: '贷超', label, algorithm: 'SHA1', digits: 6, period: PERIOD, secret: Secret.fromBase32(secret) });

/** Whether an account must use a second factor: operators and institution admins, when the platform requires it. */
export function mfaRequiredFor(account: Pick<SessionAccount, 'kind' | 'role'>, required: boolean): boolean {
  return required && (account.kind === 'operator' || (account.kind === 'institution' && account.role === 'admin') || (account.kind === 'channel' && account.role === 'channel_admin'));
}

export interface MfaServiceDeps {
  clock: Clock;
  db: Database;
  pii: PiiCipher;
  audit: AuditService;
  throttle: LoginThrottle;
}

/**
 * TOTP (RFC 6238) second factor. The secret is stored encrypted; a code is accepted within one
 * step either side of now, and each time step at most once (a replayed code is refused).
 */
export class MfaService {
  private readonly accounts: AccountsRepository;

  constructor(private readonly deps: MfaServiceDeps) {
    this.accounts = new AccountsRepository(deps.db);
  }

  /** Starts (or restarts) set-up: a new secret, not yet in force until a code confirms it. */
  async beginEnrolment(account: SessionAccount): Promise<{ secret: string; uri: string }> {
    if (account.mfaEnabled) throw new ConflictError('mfa_enabled', '已开启两步验证');
    const secret = new Secret({ size: 20 }).base32;
    await withTransaction(this.deps.db, (tx) => this.accounts.setPendingTotpSecret(tx, account.id, this.deps.pii.encrypt(secret)));
    return { secret, uri: totpFor(secret, account.loginMasked).toString() };
  }

  /** The secret being set up, to show it again (e.g. the form was re-shown after a wrong code). */
  async pendingSecret(account: SessionAccount): Promise<{ secret: string; uri: string } | undefined> {
    const row = await this.accounts.totpState(account.id);
    if (!row?.enc || row.on) return undefined;
    const secret = this.deps.pii.decrypt(row.enc);
    return { secret, uri: totpFor(secret, account.loginMasked).toString() };
  }

  async confirmEnrolment(account: SessionAccount, code: string, actor: AuditActor, now = this.deps.clock.now()): Promise<void> {
    const pending = await this.pendingSecret(account);
    if (!pending) throw new ConflictError('mfa_not_started', '请先开始设置两步验证');
    const step = this.matchingStep(pending.secret, code, now);
    if (step === undefined) throw new ValidationError('验证码不正确', { code: '验证码不正确，请核对手机上的 6 位数字' });
    await withTransaction(this.deps.db, async (tx) => {
      await this.accounts.enableTotp(tx, account.id, now, step);
      await this.deps.audit.record(actor, { action: 'mfa.enabled', objectType: 'account', objectId: account.id }, tx);
    });
  }

  /**
   * Checks a login's second factor; refuses wrong, stale or replayed codes. Failures are counted
   * per account, from whatever address they come, with the same growing waits as passwords.
   */
  async verify(accountId: string, code: string, now = this.deps.clock.now()): Promise<void> {
    const row = await this.accounts.totpState(accountId);
    if (!row?.enc || !row.on) throw new UnauthenticatedError('未开启两步验证');
    const wait = await this.deps.throttle.attempt(totpKey(accountId), now);
    if (wait > 0) throw new LoginThrottledError(`验证码错误次数过多，请 ${minutesText(wait)}后再试`, Math.ceil(wait / 1000));
    const step = this.matchingStep(this.deps.pii.decrypt(row.enc), code, now);
    if (step === undefined) throw new UnauthenticatedError('验证码不正确');
    // claim the step atomically: the same code cannot log in twice, even concurrently
    const claimed = await withTransaction(this.deps.db, (tx) => this.accounts.claimTotpStep(tx, accountId, step));
    if (!claimed) throw new UnauthenticatedError('验证码已使用，请等待下一个验证码');
    await this.deps.throttle.succeeded(totpKey(accountId));
  }

  /** Turns MFA off (an operator resetting a colleague's lost phone, or the person themselves where it is optional). */
  async disable(accountId: string, actor: AuditActor): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      await this.accounts.disableTotp(tx, accountId);
      await this.deps.audit.record(actor, { action: 'mfa.disabled', objectType: 'account', objectId: accountId }, tx);
    });
  }

  private matchingStep(secret: string, code: string, now: Date): number | undefined {
    const token = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(token)) return undefined;
    const delta = totpFor(secret, '').validate({ token, timestamp: now.getTime(), window: 1 });
    return delta === null ? undefined : Math.floor(now.getTime() / 1000 / PERIOD) + delta;
  }
}
