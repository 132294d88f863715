import { randomInt, timingSafeEqual } from 'node:crypto';
import { sqlState, UNIQUE_VIOLATION, type Database } from '../../db/client';
import { AppError, ConflictError, LoginThrottledError, RateLimitedError, UnauthenticatedError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { maskLogin, type PiiCipher } from '../../lib/pii';
import type { AuditActor, AuditService, RequestOrigin } from '../audit';
import type { RiskService } from '../risk';
import { withTransaction, type Tx } from '../../lib/tx';
import { quietUntil } from '../../lib/quiet-hours';
import type { NotificationsService, SmsTemplate, SmsWindow } from '../notifications';
import type { AccountKind } from './accounts.schema';
import { AccountsRepository, type AccountRow, type HeldCustomRole, type ProfileRow } from './accounts.repository';
import { openDisplayName } from './display-name';
import { minutesText, passwordKey, type LoginThrottle } from './login-throttle';
import type { MfaService } from './mfa.service';
import { hashPassword, oneTimePassword, passwordProblem, verifyAgainstDummy, verifyPassword, type PasswordContext } from './passwords';
import type { Clock } from '../../lib/clock';

export const OTP_TTL_MINUTES = 5;
export const OTP_RESEND_SECONDS = 60;
export const OTP_MAX_PER_DAY = 10;
export const OTP_MAX_ATTEMPTS = 5;
export type OtpPurpose = 'register' | 'reset_password' | 'login' | 'sign';
const otpWhat: Record<OtpPurpose, string> = { register: '注册', reset_password: '重置密码', login: '登录', sign: '签署借款合同' };

/** What a session knows about the person logged in. No PII in clear. */
export interface SessionAccount {
  id: string;
  kind: AccountKind;
  role: string;
  displayName: string;
  loginMasked: string;
  institutionId: string | null;
  /** a channel partner's staff: their channel */
  channelId: string | null;
  /** sessions carrying an older version were logged out everywhere */
  sessionVersion: number;
  /** a second factor (TOTP) is set up and asked for at every login */
  mfaEnabled: boolean;
  /** signed in with a one-time password: must set their own before anything else */
  mustChangePassword: boolean;
  /**
   * `role = 'custom'`: the custom role held, with its permissions as read on this request (set by
   * `findActive`, the read every guard makes; null for a built-in role)
   */
  customRole?: HeldCustomRole | null;
}

export const PHONE_PATTERN = /^1[3-9]\d{9}$/;

export interface ConsumerProfile {
  age: number | null;
  city: string | null;
  monthlyIncomeFen: number | null;
  employment: string | null;
  creditSelfAssessment: string | null;
  housing: string | null;
  monthlyDebtFen: number | null;
  updatedAt: Date | null;
}

/** A change to the profile: a field given is saved, null clears it, a field left out is kept. */
export type ProfileChanges = Partial<Omit<ConsumerProfile, 'updatedAt'>>;

export interface ContactPreferences {
  allowSms: boolean;
  allowCall: boolean;
  allowInApp: boolean;
  quietStart: string;
  quietEnd: string;
  /** institutions the consumer asked to stop contacting them */
  blockedInstitutionIds: string[];
}

const defaultContact = { allowSms: true, allowCall: true, allowInApp: true, quietStart: '22:00', quietEnd: '08:00' };

const emptyProfile: ConsumerProfile = {
  age: null,
  city: null,
  monthlyIncomeFen: null,
  employment: null,
  creditSelfAssessment: null,
  housing: null,
  monthlyDebtFen: null,
  updatedAt: null,
};

/** The profile of a `consumer_profiles` row (read here or joined by another module's read); none yet: every field empty. */
export function consumerProfileOf(row: ProfileRow | null | undefined): ConsumerProfile {
  return row ? { ...row } : { ...emptyProfile };
}

function toSessionAccount(row: AccountRow, pii: PiiCipher, customRole: HeldCustomRole | null = null): SessionAccount {
  return {
    id: row.id,
    kind: row.kind,
    role: row.role,
    displayName: openDisplayName(pii, row.displayNameEnc),
    loginMasked: row.loginMasked,
    institutionId: row.institutionId,
    channelId: row.channelId,
    sessionVersion: row.sessionVersion,
    mfaEnabled: row.totpEnabledAt !== null,
    mustChangePassword: row.mustChangePassword,
    customRole,
  };
}

export interface AccountsServiceDeps {
  risk: RiskService;
  clock: Clock;
  db: Database;
  pii: PiiCipher;
  notifications: NotificationsService;
  audit: AuditService;
  mfa: MfaService;
  throttle: LoginThrottle;
}

export class AccountsService {
  private readonly accounts: AccountsRepository;

  constructor(private readonly deps: AccountsServiceDeps) {
    this.accounts = new AccountsRepository(deps.db);
  }

  private loginHash(kind: AccountKind, login: string): string {
    return this.deps.pii.blindIndex(`${kind}:${this.normaliseLogin(kind, login)}`);
  }

  /** What a new password of this account must not contain: its phone number or username. */
  private passwordContext(row: Pick<AccountRow, 'kind' | 'loginEnc'>): PasswordContext {
    const login = this.deps.pii.decrypt(row.loginEnc);
    return row.kind === 'consumer' ? { phone: login } : { username: login };
  }

  private normaliseLogin(kind: AccountKind, login: string): string {
    const trimmed = login.trim();
    return kind === 'consumer' ? trimmed.replace(/[\s-]/g, '') : trimmed.toLowerCase();
  }

  /**
   * `reuse.passwordHash`: the argon2 hash of `input.password`, made once by the caller for many
   * accounts that share that password (only the demo seed, server/demo: its logins share one
   * published password). Never taken from a request: the policy still checks the password itself.
   */
  async registerConsumer(input: { phone: string; password: string; displayName?: string }, tx?: Tx, reuse: { passwordHash?: string } = {}): Promise<SessionAccount> {
    const phone = this.normaliseLogin('consumer', input.phone);
    const fields: Record<string, string> = {};
    if (!PHONE_PATTERN.test(phone)) fields.phone = '请输入 11 位中国大陆手机号';
    const weak = passwordProblem(input.password, { phone });
    if (weak) fields.password = weak;
    if (Object.keys(fields).length) throw new ValidationError('注册信息有误', fields);
    return this.insert({
      kind: 'consumer',
      login: phone,
      password: input.password,
      displayName: input.displayName?.trim() || `用户${phone.slice(-4)}`,
      role: 'consumer',
      institutionId: null,
      passwordHash: reuse.passwordHash,
    }, tx);
  }

  async createStaff(input: {
    kind: 'institution' | 'operator' | 'channel';
    username: string;
    password: string;
    displayName: string;
    role: string;
    /** `role = 'custom'`: the custom role held (an invitation to one of the scope's custom roles) */
    customRoleId?: string | null;
    institutionId?: string | null;
    channelId?: string | null;
    /** a one-time password (the create-operator command): the person must set their own at first login */
    mustChangePassword?: boolean;
  }, tx?: Tx, reuse: { passwordHash?: string } = {}): Promise<SessionAccount> {
    const weak = passwordProblem(input.password, { username: input.username.trim() });
    if (weak) throw new ValidationError('账号信息有误', { password: weak });
    return this.insert({
      mustChangePassword: input.mustChangePassword ?? false,
      kind: input.kind,
      login: this.normaliseLogin(input.kind, input.username),
      password: input.password,
      displayName: input.displayName,
      role: input.role,
      customRoleId: input.customRoleId ?? null,
      institutionId: input.institutionId ?? null,
      channelId: input.channelId ?? null,
      passwordHash: reuse.passwordHash,
    }, tx);
  }

  private async insert(input: {
    kind: AccountKind;
    login: string;
    password: string;
    displayName: string;
    role: string;
    customRoleId?: string | null;
    institutionId: string | null;
    channelId?: string | null;
    mustChangePassword?: boolean;
    /** see registerConsumer: a hash of `password` the caller made once */
    passwordHash?: string;
  }, tx?: Tx): Promise<SessionAccount> {
    const passwordHash = input.passwordHash ?? (await hashPassword(input.password));
    try {
      const values = {
          id: newId(input.kind === 'consumer' ? 'usr' : 'stf'),
          kind: input.kind,
          loginHash: this.deps.pii.blindIndex(`${input.kind}:${input.login}`),
          loginEnc: this.deps.pii.encrypt(input.login),
          loginMasked: maskLogin(input.login),
          passwordHash,
          displayNameEnc: this.deps.pii.encrypt(input.displayName),
          role: input.role,
          customRoleId: input.customRoleId ?? null,
          institutionId: input.institutionId,
          channelId: input.channelId ?? null,
          mustChangePassword: input.mustChangePassword ?? false,
        };
      const row = tx ? await this.accounts.insert(tx, values) : await withTransaction(this.deps.db, (own) => this.accounts.insert(own, values));
      return toSessionAccount(row, this.deps.pii);
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) {
        const field = input.kind === 'consumer' ? 'phone' : 'username';
        throw new ConflictError('account_exists', '该账号已注册', {
          [field]: input.kind === 'consumer' ? '该手机号已注册，请直接登录' : '用户名已存在',
        });
      }
      throw err;
    }
  }

  /**
   * Checks a login and password, and the TOTP code too when one is given for an account that has
   * it (without one, the caller asks for it next). Failures slow the login down with growing waits
   * (login-throttle.ts), kept per login whether or not the account exists, so no answer says
   * whether it does. While a wait holds, only the owner gets in: with the password and a correct
   * TOTP code (consumers use `loginWithCode`, an SMS code, instead).
   */
  async authenticate(kind: AccountKind, login: string, password: string, options: { totp?: string; now?: Date } = {}): Promise<SessionAccount> {
    const now = options.now ?? this.deps.clock.now();
    const loginHash = this.loginHash(kind, login);
    const row = await this.accounts.byLogin(kind, loginHash);
    const wait = await this.deps.throttle.attempt(passwordKey(loginHash), now);
    if (wait > 0) return this.signInWhileThrottled(kind, row, password, options.totp, wait, now);
    const wrong = kind === 'consumer' ? '手机号或密码错误' : '用户名或密码错误';
    if (!row) {
      await verifyAgainstDummy(password);
      throw new UnauthenticatedError(wrong);
    }
    if (!(await verifyPassword(row.passwordHash, password))) throw new UnauthenticatedError(wrong);
    await this.deps.throttle.succeeded(passwordKey(loginHash));
    if (row.status !== 'active') throw new UnauthenticatedError('账号已被冻结，请联系客服');
    if (row.totpEnabledAt && options.totp !== undefined) await this.deps.mfa.verify(row.id, options.totp, now);
    await this.touchLogin(row.id, now);
    return toSessionAccount(row, this.deps.pii);
  }

  /**
   * A password throttle holds on this login. Nothing is learnt from the answer: without a TOTP
   * code, or with any mistake, it is the same refusal naming the wait; the owner with a second
   * factor passes with the right password and code.
   */
  private async signInWhileThrottled(kind: AccountKind, row: AccountRow | undefined, password: string, totp: string | undefined, wait: number, now: Date): Promise<SessionAccount> {
    const alternative = kind === 'consumer' ? '，或使用短信验证码登录' : '；已开启两步验证的账号，同时填写密码和验证码即可登录';
    const refused = new LoginThrottledError(`登录尝试过于频繁，请 ${minutesText(wait)}后再试${alternative}`, Math.ceil(wait / 1000));
    if (totp === undefined) throw refused;
    const right = row?.totpEnabledAt ? await verifyPassword(row.passwordHash, password) : await verifyAgainstDummy(password);
    if (!right || row!.status !== 'active') throw refused;
    try {
      await this.deps.mfa.verify(row!.id, totp, now);
    } catch (err) {
      if (err instanceof AppError) throw refused;
      throw err;
    }
    await this.deps.throttle.succeeded(passwordKey(row!.loginHash));
    await this.touchLogin(row!.id, now);
    return toSessionAccount(row!, this.deps.pii);
  }

  /**
   * Consumers sign in with an SMS code instead of the password (also while a password throttle
   * holds). The code's own limits apply: one a minute and ten a day per number, five tries each;
   * the routes add a per-address limit.
   */
  async loginWithCode(rawPhone: string, code: string, now = this.deps.clock.now()): Promise<SessionAccount> {
    await this.verifyCode(rawPhone, 'login', code, now);
    const row = await this.accounts.byLogin('consumer', this.loginHash('consumer', rawPhone));
    if (!row) throw new ValidationError('验证码有误', { code: '验证码错误或已过期，请重新获取' });
    if (row.status !== 'active') throw new UnauthenticatedError('账号已被冻结，请联系客服');
    await this.touchLogin(row.id, now);
    return toSessionAccount(row, this.deps.pii);
  }

  private touchLogin(accountId: string, now: Date): Promise<void> {
    return withTransaction(this.deps.db, (tx) => this.accounts.touchLogin(tx, accountId, now));
  }

  /** Forgets sign-in failures older than a day (a scheduled job). */
  purgeThrottles(now = this.deps.clock.now()): Promise<number> {
    return this.deps.throttle.purge(now);
  }

  async findActive(kind: AccountKind, id: string): Promise<SessionAccount | undefined> {
    const row = await this.accounts.activeById(kind, id);
    return row ? toSessionAccount(row.account, this.deps.pii, row.customRole) : undefined;
  }

  count(kind: AccountKind): Promise<number> {
    return this.accounts.count(kind);
  }

  private codeHash(purpose: OtpPurpose, phone: string, code: string): string {
    return this.deps.pii.blindIndex(`otp:${purpose}:${phone}:${code}`);
  }

  /**
   * Sends a one-time code by SMS. At most one a minute per number and purpose, and ten a day per number. For a
   * password reset or a login of an unknown number nothing is sent, but the answer is the same,
   * so the endpoint does not tell who is registered.
   */
  async requestCode(rawPhone: string, purpose: OtpPurpose, now = this.deps.clock.now()): Promise<void> {
    const phone = this.normaliseLogin('consumer', rawPhone);
    if (!PHONE_PATTERN.test(phone)) throw new ValidationError('手机号有误', { phone: '请输入 11 位中国大陆手机号' });
    const phoneHash = this.deps.pii.blindIndex(`consumer:${phone}`);
    const recent = await this.accounts.codesSince(phoneHash, new Date(now.getTime() - 24 * 3600_000));
    // one code a minute for the same purpose (a signing code right after the registration code is fine); ten a day in all
    const last = recent.find((r) => r.purpose === purpose);
    if (last && now.getTime() - last.createdAt.getTime() < OTP_RESEND_SECONDS * 1000) {
      const wait = Math.ceil((OTP_RESEND_SECONDS * 1000 - (now.getTime() - last.createdAt.getTime())) / 1000);
      throw new RateLimitedError(`验证码发送过于频繁，请 ${wait} 秒后再试`);
    }
    if (recent.length >= OTP_MAX_PER_DAY) throw new RateLimitedError('今日获取验证码次数已达上限，请明天再试');
    if (purpose !== 'register') {
      const existing = await this.accounts.refByLogin('consumer', phoneHash);
      if (!existing) {
        // record the attempt (for the rate limit) but send nothing
        await withTransaction(this.deps.db, (tx) => this.accounts.insertCode(tx, { id: newId('otp'), purpose, phoneHash, codeHash: 'none', expiresAt: now, consumedAt: now }));
        return;
      }
    }
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    await withTransaction(this.deps.db, (tx) =>
      this.accounts.insertCode(tx, {
        id: newId('otp'),
        purpose,
        phoneHash,
        codeHash: this.codeHash(purpose, phone, code),
        expiresAt: new Date(now.getTime() + OTP_TTL_MINUTES * 60_000),
      }),
    );
    await this.deps.notifications.sendSms(phone, `otp.${purpose}`, `【贷超】验证码 ${code}，用于${otpWhat[purpose]}，${OTP_TTL_MINUTES} 分钟内有效。请勿告诉他人。`, { secrets: [code], now });
  }

  /** Checks and consumes a code; five wrong tries burn it. */
  async verifyCode(rawPhone: string, purpose: OtpPurpose, code: string, now = this.deps.clock.now()): Promise<void> {
    const phone = this.normaliseLogin('consumer', rawPhone);
    const invalid = new ValidationError('验证码有误', { code: '验证码错误或已过期，请重新获取' });
    if (!/^\d{6}$/.test(code)) throw invalid;
    const row = await this.accounts.liveCode(this.deps.pii.blindIndex(`consumer:${phone}`), purpose, now);
    if (!row || row.attempts >= OTP_MAX_ATTEMPTS) throw invalid;
    const expected = Buffer.from(row.codeHash);
    const given = Buffer.from(this.codeHash(purpose, phone, code));
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) {
      await withTransaction(this.deps.db, (tx) => this.accounts.countWrongTry(tx, row.id));
      throw invalid;
    }
    const consumed = await withTransaction(this.deps.db, (tx) => this.accounts.consumeCode(tx, row.id, now));
    if (!consumed) throw invalid; // used by a concurrent request
  }

  /**
   * 注册, the whole use case for both doors: the SMS code is checked (its wrong tries count even
   * when registering fails), then the account, its device and address for anti-fraud and the
   * audit row commit together. The caller logs the new account in.
   */
  async register(
    input: { phone: string; password: string; code: string; displayName?: string },
    origin: Pick<RequestOrigin, 'actor' | 'device'>,
    /** more of the same use case, in its transaction once the account exists (the channel attribution) */
    within?: (tx: Tx, account: SessionAccount) => Promise<unknown>,
  ): Promise<SessionAccount> {
    const weak = passwordProblem(input.password, { phone: this.normaliseLogin('consumer', input.phone) });
    if (weak) throw new ValidationError('注册信息有误', { password: weak });
    await this.verifyCode(input.phone, 'register', input.code);
    const thresholds = await this.deps.risk.thresholds();
    return withTransaction(this.deps.db, async (tx) => {
      const account = await this.registerConsumer(input, tx);
      await this.deps.risk.recordRegistration(tx, account.id, { device: origin.device, ip: origin.actor.ip ?? '' }, thresholds);
      await this.deps.audit.record({ ...origin.actor, kind: 'consumer', id: account.id }, { action: 'account.registered', objectType: 'account', objectId: account.id }, tx);
      if (within) await within(tx, account);
      return account;
    });
  }

  /**
   * The one place a password is written: every session ends (the version moves on), sign-in
   * failures are forgotten, and `mustChange` marks a one-time password.
   */
  private async writePassword(row: Pick<AccountRow, 'id' | 'loginHash'>, password: string, mustChange: boolean, tx: Tx): Promise<void> {
    await this.accounts.setPassword(tx, row.id, await hashPassword(password), mustChange);
    await this.deps.throttle.succeeded(passwordKey(row.loginHash), tx);
  }

  /** Forgotten password: a code sent to the phone, then a new password; every session ends. */
  async resetPassword(input: { phone: string; code: string; password: string }): Promise<void> {
    const phone = this.normaliseLogin('consumer', input.phone);
    const weak = passwordProblem(input.password, { phone });
    if (weak) throw new ValidationError('新密码不符合要求', { password: weak });
    await this.verifyCode(input.phone, 'reset_password', input.code);
    const row = await this.accounts.refByLogin('consumer', this.loginHash('consumer', phone));
    if (!row) throw new ValidationError('验证码有误', { code: '验证码错误或已过期，请重新获取' });
    await withTransaction(this.deps.db, async (tx) => {
      await this.writePassword(row, input.password, false, tx);
      await this.deps.audit.record({ kind: 'consumer', id: row.id }, { action: 'account.password_reset', objectType: 'account', objectId: row.id }, tx);
    });
  }

  /**
   * Change password knowing the current one (consumers and staff alike, also after a one-time
   * password); every session ends, the caller keeps its own by logging in again with the result.
   */
  async changePassword(accountId: string, current: string, next: string, actor: AuditActor): Promise<SessionAccount> {
    const row = await this.accounts.byId(accountId);
    if (!row || !(await verifyPassword(row.passwordHash, current))) {
      throw new ValidationError('当前密码不正确', { currentPassword: '当前密码不正确' });
    }
    const weak = current === next ? '新密码不能与当前密码相同' : passwordProblem(next, this.passwordContext(row));
    if (weak) throw new ValidationError('新密码不符合要求', { password: weak });
    await withTransaction(this.deps.db, async (tx) => {
      await this.writePassword(row, next, false, tx);
      await this.deps.audit.record(actor, { action: 'account.password_changed', objectType: 'account', objectId: accountId }, tx);
    });
    return (await this.findActive(row.kind, accountId))!;
  }

  /**
   * Replaces the password of an account with a one-time password, returned once: every session
   * ends and the person must set their own at the next login. For an admin's reset of a colleague
   * (StaffService checks who may), inside the caller's transaction.
   */
  async issueOneTimePassword(accountId: string, tx: Tx): Promise<string> {
    const row = await this.accounts.refById(accountId, tx);
    if (!row) throw new Error(`no account ${accountId}`);
    const password = oneTimePassword();
    await this.writePassword(row, password, true, tx);
    return password;
  }

  /** Ends every session of the account, on every device. */
  async logoutEverywhere(accountId: string, actor: AuditActor): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      await this.accounts.endSessions(tx, accountId);
      await this.deps.audit.record(actor, { action: 'account.logout_everywhere', objectType: 'account', objectId: accountId }, tx);
    });
  }

  /** The consumer's phone number in clear, for a consented release or their own export. */
  async phoneOf(accountId: string): Promise<string> {
    const loginEnc = await this.accounts.loginEncOf(accountId);
    if (loginEnc === undefined) throw new Error(`no account ${accountId}`);
    return this.phoneFromLogin(loginEnc);
  }

  /** A consumer's phone from their encrypted login (`accounts.login_enc`) read with another query. */
  phoneFromLogin(loginEnc: string): string {
    return this.deps.pii.decrypt(loginEnc);
  }

  async profile(accountId: string): Promise<ConsumerProfile> {
    return consumerProfileOf(await this.accounts.profile(accountId));
  }

  /**
   * The consumer changes their profile, from the profile form or `PUT /api/v1/profile` alike: a
   * field given is saved, a field given as null is cleared, a field left out keeps its value (the
   * form sends every field it shows, a blank one as null; a client that knows one field cannot
   * wipe the others). Audited in the same transaction.
   */
  async updateProfile(accountId: string, changes: ProfileChanges, actor: AuditActor): Promise<ConsumerProfile> {
    const given = Object.fromEntries(Object.entries(changes).filter(([, v]) => v !== undefined)) as ProfileChanges;
    if (Object.keys(given).length === 0) throw new ValidationError('资料有误', { profile: '请至少提供一项资料' });
    return withTransaction(this.deps.db, async (tx) => {
      const saved = await this.saveProfile(accountId, given, tx);
      await this.deps.audit.record(actor, { action: 'profile.updated', objectType: 'account', objectId: accountId }, tx);
      return saved;
    });
  }

  /** Writes profile facts as given (fields left out are kept), in the caller's transaction when there is one. */
  async saveProfile(accountId: string, input: ProfileChanges, tx?: Tx): Promise<ConsumerProfile> {
    const values = { ...input, updatedAt: this.deps.clock.now() };
    const row = tx ? await this.accounts.upsertProfile(tx, accountId, values) : await withTransaction(this.deps.db, (own) => this.accounts.upsertProfile(own, accountId, values));
    return { ...row };
  }

  async contactPreferences(accountId: string): Promise<ContactPreferences> {
    const row = await this.accounts.contactPreferences(accountId);
    const blocked = await this.accounts.blockedInstitutionIds(accountId);
    const base = row ?? defaultContact;
    return {
      allowSms: base.allowSms,
      allowCall: base.allowCall,
      allowInApp: base.allowInApp,
      quietStart: base.quietStart,
      quietEnd: base.quietEnd,
      blockedInstitutionIds: blocked,
    };
  }

  /**
   * Whether the platform may text this consumer at `now`: not when they turned SMS off or closed
   * the account; otherwise from the end of their quiet hours (null: at once). The one rule for
   * every SMS about a consumer, when it is generated and again when a held one is released.
   */
  async smsWindow(accountId: string, now: Date): Promise<SmsWindow> {
    const status = await this.accounts.statusOf(accountId);
    if (!status || status === 'closed') return { allowed: false, reason: 'account_closed' };
    const prefs = await this.contactPreferences(accountId);
    if (!prefs.allowSms) return { allowed: false, reason: 'sms_off' };
    return { allowed: true, notBefore: quietUntil(now, prefs.quietStart, prefs.quietEnd) };
  }

  /** Texts a consumer when they allow SMS, held until their quiet hours end (the release job checks again then). */
  async textConsumer(accountId: string, template: SmsTemplate, body: string, now = this.deps.clock.now()): Promise<boolean> {
    const window = await this.smsWindow(accountId, now);
    if (!window.allowed) return false;
    const phone = await this.phoneOf(accountId).catch(() => '');
    if (!phone) return false;
    await this.deps.notifications.sendSms(phone, template, body, { accountId, sendAfter: window.notBefore ?? undefined, now });
    return true;
  }

  async saveContactPreferences(
    accountId: string,
    input: { allowSms: boolean; allowCall: boolean; quietStart: string; quietEnd: string },
  ): Promise<ContactPreferences> {
    const values = { ...input, allowInApp: true, updatedAt: this.deps.clock.now() };
    await withTransaction(this.deps.db, (tx) => this.accounts.upsertContactPreferences(tx, accountId, values));
    return this.contactPreferences(accountId);
  }

  /** "Stop contacting me" for one institution, or undo it. */
  async setContactBlock(accountId: string, institutionId: string, blocked: boolean): Promise<void> {
    await withTransaction(this.deps.db, (tx) =>
      blocked ? this.accounts.addContactBlock(tx, accountId, institutionId) : this.accounts.removeContactBlock(tx, accountId, institutionId),
    );
  }

  /** Checks the password of a logged-in account (for closing it). */
  async checkPassword(accountId: string, password: string): Promise<boolean> {
    const hash = await this.accounts.passwordHashOf(accountId);
    return hash !== undefined ? verifyPassword(hash, password) : false;
  }

  /**
   * Closes a consumer account inside the caller's transaction: profile and contact settings
   * erased, the login freed (the number can register again), every session ended. Application
   * records stay, as the law requires, without the profile behind them.
   */
  async close(tx: Tx, accountId: string): Promise<void> {
    await this.accounts.close(tx, accountId, {
      loginHash: `closed:${newId('x')}`,
      loginEnc: this.deps.pii.encrypt(''),
      displayNameEnc: this.deps.pii.encrypt('已注销用户'),
    });
  }
}
