import { and, eq, sql } from 'drizzle-orm';
import { sqlState, UNIQUE_VIOLATION, type Database } from '../../db/client';
import { ConflictError, LockedError, UnauthenticatedError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { maskLogin, type PiiCipher } from '../../lib/pii';
import { accounts, consumerProfiles, type AccountKind } from './accounts.schema';
import { hashPassword, passwordProblem, verifyAgainstDummy, verifyPassword } from './passwords';

export const MAX_FAILED_LOGINS = 5;
export const LOCKOUT_MINUTES = 15;

/** What a session knows about the person logged in. No PII in clear. */
export interface SessionAccount {
  id: string;
  kind: AccountKind;
  role: string;
  displayName: string;
  loginMasked: string;
  institutionId: string | null;
}

export const PHONE_PATTERN = /^1[3-9]\d{9}$/;

export interface ConsumerProfile {
  age: number | null;
  city: string | null;
  monthlyIncomeFen: number | null;
  employment: string | null;
  creditSelfAssessment: string | null;
  updatedAt: Date | null;
}

const emptyProfile: ConsumerProfile = { age: null, city: null, monthlyIncomeFen: null, employment: null, creditSelfAssessment: null, updatedAt: null };

function toSessionAccount(row: typeof accounts.$inferSelect): SessionAccount {
  return {
    id: row.id,
    kind: row.kind,
    role: row.role,
    displayName: row.displayName,
    loginMasked: row.loginMasked,
    institutionId: row.institutionId,
  };
}

export class AccountsService {
  constructor(
    private readonly db: Database,
    private readonly pii: PiiCipher,
  ) {}

  private normaliseLogin(kind: AccountKind, login: string): string {
    const trimmed = login.trim();
    return kind === 'consumer' ? trimmed.replace(/[\s-]/g, '') : trimmed.toLowerCase();
  }

  async registerConsumer(input: { phone: string; password: string; displayName?: string }): Promise<SessionAccount> {
    const phone = this.normaliseLogin('consumer', input.phone);
    const fields: Record<string, string> = {};
    if (!PHONE_PATTERN.test(phone)) fields.phone = '请输入 11 位中国大陆手机号';
    const weak = passwordProblem(input.password);
    if (weak) fields.password = weak;
    if (Object.keys(fields).length) throw new ValidationError('注册信息有误', fields);
    return this.insert({
      kind: 'consumer',
      login: phone,
      password: input.password,
      displayName: input.displayName?.trim() || `用户${phone.slice(-4)}`,
      role: 'consumer',
      institutionId: null,
    });
  }

  async createStaff(input: {
    kind: 'institution' | 'operator';
    username: string;
    password: string;
    displayName: string;
    role: string;
    institutionId?: string | null;
  }): Promise<SessionAccount> {
    const weak = passwordProblem(input.password);
    if (weak) throw new ValidationError('账号信息有误', { password: weak });
    return this.insert({
      kind: input.kind,
      login: this.normaliseLogin(input.kind, input.username),
      password: input.password,
      displayName: input.displayName,
      role: input.role,
      institutionId: input.institutionId ?? null,
    });
  }

  private async insert(input: {
    kind: AccountKind;
    login: string;
    password: string;
    displayName: string;
    role: string;
    institutionId: string | null;
  }): Promise<SessionAccount> {
    const passwordHash = await hashPassword(input.password);
    try {
      const [row] = await this.db
        .insert(accounts)
        .values({
          id: newId(input.kind === 'consumer' ? 'usr' : 'stf'),
          kind: input.kind,
          loginHash: this.pii.blindIndex(`${input.kind}:${input.login}`),
          loginEnc: this.pii.encrypt(input.login),
          loginMasked: maskLogin(input.login),
          passwordHash,
          displayName: input.displayName,
          role: input.role,
          institutionId: input.institutionId,
        })
        .returning();
      return toSessionAccount(row!);
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
   * Checks a login and password. Failures count towards a lockout; the message never says
   * whether the account exists.
   */
  async authenticate(kind: AccountKind, login: string, password: string, now = new Date()): Promise<SessionAccount> {
    const normalised = this.normaliseLogin(kind, login);
    const [row] = await this.db
      .select()
      .from(accounts)
      .where(and(eq(accounts.kind, kind), eq(accounts.loginHash, this.pii.blindIndex(`${kind}:${normalised}`))));
    const wrong = kind === 'consumer' ? '手机号或密码错误' : '用户名或密码错误';
    if (!row) {
      await verifyAgainstDummy(password);
      throw new UnauthenticatedError(wrong);
    }
    if (row.lockedUntil && row.lockedUntil > now) {
      throw new LockedError(`登录失败次数过多，账号已锁定，请 ${LOCKOUT_MINUTES} 分钟后再试`);
    }
    if (!(await verifyPassword(row.passwordHash, password))) {
      const failed = row.failedLogins + 1;
      const lock = failed >= MAX_FAILED_LOGINS;
      await this.db
        .update(accounts)
        .set({
          failedLogins: lock ? 0 : failed,
          lockedUntil: lock ? new Date(now.getTime() + LOCKOUT_MINUTES * 60_000) : row.lockedUntil,
        })
        .where(eq(accounts.id, row.id));
      if (lock) throw new LockedError(`登录失败次数过多，账号已锁定，请 ${LOCKOUT_MINUTES} 分钟后再试`);
      throw new UnauthenticatedError(wrong);
    }
    if (row.status !== 'active') throw new UnauthenticatedError('账号已被冻结，请联系客服');
    await this.db
      .update(accounts)
      .set({ failedLogins: 0, lockedUntil: null, lastLoginAt: sql`now()` })
      .where(eq(accounts.id, row.id));
    return toSessionAccount(row);
  }

  async findActive(kind: AccountKind, id: string): Promise<SessionAccount | undefined> {
    const [row] = await this.db
      .select()
      .from(accounts)
      .where(and(eq(accounts.id, id), eq(accounts.kind, kind), eq(accounts.status, 'active')));
    return row ? toSessionAccount(row) : undefined;
  }

  async count(kind: AccountKind): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(accounts).where(eq(accounts.kind, kind));
    return row?.n ?? 0;
  }

  async profile(accountId: string): Promise<ConsumerProfile> {
    const [row] = await this.db.select().from(consumerProfiles).where(eq(consumerProfiles.accountId, accountId));
    return row ? { ...row } : { ...emptyProfile };
  }

  async saveProfile(accountId: string, input: Omit<ConsumerProfile, 'updatedAt'>): Promise<ConsumerProfile> {
    const values = { ...input, updatedAt: new Date() };
    const [row] = await this.db
      .insert(consumerProfiles)
      .values({ accountId, ...values })
      .onConflictDoUpdate({ target: consumerProfiles.accountId, set: values })
      .returning();
    return { ...row! };
  }
}
