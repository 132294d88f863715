import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../lib/digest';
import type { Database } from '../../db/client';
import { sqlState, UNIQUE_VIOLATION } from '../../db/client';
import { ConflictError, NotFoundError, ValidationError, type FieldErrors } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { maskName, maskPhone, type PiiCipher } from '../../lib/pii';
import { withTransaction, type Tx } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import { AccountsRepository, heldCustomRole, type HeldCustomRole, type InvitationRow, type MemberRow, type StaffScope } from './accounts.repository';
import { oneTimePassword } from './passwords';
import { type AccountsService, type SessionAccount, PHONE_PATTERN } from './accounts.service';
import { openDisplayName, shownDisplayName } from './display-name';
import { CUSTOM_ROLE, institutionRoles, operatorRoles, type RoleHolder } from './permissions';
import { assertGranterHolds, assertStillManaged, heldPermissions, roleName, type Holding } from './role-rules';
import type { Clock } from '../../lib/clock';

export const INVITATION_DAYS = 7;
const USERNAME = /^[a-z][a-z0-9._-]{2,31}$/;

/** An invitation as the pages see it: the invitee's name opened. */
export type Invitation = Omit<InvitationRow, 'displayNameEnc' | 'legacyDisplayName'> & { displayName: string };
export type StaffKind = 'institution' | 'operator';

export interface StaffMember {
  id: string;
  kind: string;
  role: string;
  displayName: string;
  loginMasked: string;
  institutionId: string | null;
  status: string;
  frozenReason: string | null;
  mfaEnabled: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  /** `role = 'custom'`: the custom role held, with its permissions */
  customRole: HeldCustomRole | null;
  /** the role's name as people read it (a built-in role's label or the custom role's name) */
  roleName: string;
}

export function rolesFor(kind: StaffKind): readonly string[] {
  return kind === 'operator' ? operatorRoles : institutionRoles;
}

/** The members as they would be after one of them changed. */
const withChange = (members: readonly Holding[], accountId: string, change: Partial<Holding>): Holding[] => members.map((m) => (m.id === accountId ? { ...m, ...change } : m));

export interface StaffServiceDeps {
  clock: Clock;
  db: Database;
  pii: PiiCipher;
  accountsService: AccountsService;
  audit: AuditService;
}

/**
 * People who work on the platform: invitations (the only way staff accounts are made outside
 * seeding), roles, freezing; and finding any account for the operators' user search.
 */
export class StaffService {
  private readonly accounts: AccountsRepository;

  constructor(private readonly deps: StaffServiceDeps) {
    this.accounts = new AccountsRepository(deps.db);
  }

  private loginHash(kind: string, login: string) {
    return this.deps.pii.blindIndex(`${kind}:${login}`);
  }

  /** A member row with the name opened: staff in clear, a consumer masked (operators see consumers' names only masked). */
  private member({ displayNameEnc, customRoleId, customRoleName, customRolePermissions, ...row }: MemberRow): StaffMember {
    const customRole = heldCustomRole({ customRoleId, customRoleName, customRolePermissions });
    return { ...row, customRole, roleName: roleName({ role: row.role, customRole }), displayName: shownDisplayName(this.deps.pii, displayNameEnc, row.kind) };
  }

  private invitation({ displayNameEnc, legacyDisplayName: _legacy, ...row }: InvitationRow): Invitation {
    return { ...row, displayName: openDisplayName(this.deps.pii, displayNameEnc) };
  }

  /**
   * Invites someone to a role — a built-in role by name, or one of the scope's custom roles by id
   * (another institution's: 404; with a granter given, only a role whose permissions the granter
   * holds: 403) — and returns the one-time token (only its hash is kept).
   */
  async invite(
    input: { kind: StaffKind; institutionId?: string | null; username: string; displayName: string; role: string },
    actor: AuditActor,
    tx?: Tx,
    now = this.deps.clock.now(),
    granter?: RoleHolder,
  ): Promise<{ invitation: Invitation; token: string }> {
    if (!tx) return withTransaction(this.deps.db, (own) => this.invite(input, actor, own, now, granter));
    const username = input.username.trim().toLowerCase();
    const fields: Record<string, string> = {};
    if (!USERNAME.test(username)) fields.username = '用户名为 3–32 位小写字母、数字或 . _ -，以字母开头';
    if (!input.displayName.trim() || input.displayName.trim().length > 30) fields.displayName = '请填写 1–30 字的姓名';
    if (!rolesFor(input.kind).includes(input.role) && !input.role.startsWith('role_')) fields.role = '请选择有效的角色';
    if (Object.keys(fields).length) throw new ValidationError('邀请信息有误', fields);
    const target = await this.roleToHold({ kind: input.kind, institutionId: input.kind === 'institution' ? input.institutionId : null }, input.role, tx);
    if (granter) assertGranterHolds(input.kind, granter, heldPermissions(input.kind, target));
    const taken = await this.accounts.refByLogin(input.kind, this.loginHash(input.kind, username), tx);
    const pending = await this.accounts.invitationPendingFor(input.kind, username, now, tx);
    if (taken || pending) throw new ConflictError('username_taken', '用户名已被使用', { username: '用户名已被使用' });
    const token = randomBytes(24).toString('base64url');
    const invitation = await this.accounts.insertInvitation(tx, {
        id: newId('inv'),
        tokenHash: sha256Hex(token),
        kind: input.kind,
        institutionId: input.kind === 'institution' ? input.institutionId! : null,
        username,
        displayNameEnc: this.deps.pii.encrypt(input.displayName.trim()),
        role: input.role,
        invitedBy: actor.id ?? null,
        expiresAt: new Date(now.getTime() + INVITATION_DAYS * 86_400_000),
      });
    await this.deps.audit.record(actor, { action: 'staff.invited', objectType: 'invitation', objectId: invitation.id, detail: { kind: input.kind, role: input.role, roleName: roleName(target), institutionId: input.institutionId ?? null } }, tx);
    return { invitation: this.invitation(invitation), token };
  }

  /** A pending, unexpired invitation for a token (with its role's name as people read it), or NotFound (used, revoked, expired or wrong). */
  async pendingInvitation(kind: StaffKind, token: string, now = this.deps.clock.now()): Promise<Invitation & { roleName: string }> {
    const row = await this.accounts.invitationByToken(kind, sha256Hex(token));
    if (!row || row.acceptedAt || row.revokedAt || row.expiresAt <= now) throw new NotFoundError('邀请（可能已使用、已撤销或已过期）');
    const custom = row.role.startsWith('role_') ? await this.accounts.customRoleIn({ kind, institutionId: row.institutionId }, row.role) : undefined;
    return { ...this.invitation(row), roleName: custom ? custom.name : roleName({ role: row.role, customRole: null }) };
  }

  /**
   * Accepts an invitation: sets the password and creates the account, once, with the invited
   * role (a custom role deleted since: 409, the invitation stays open for the admin to revoke).
   */
  async accept(kind: StaffKind, token: string, password: string, now = this.deps.clock.now()): Promise<SessionAccount> {
    const invitation = await this.pendingInvitation(kind, token, now);
    return withTransaction(this.deps.db, async (tx) => {
      const claimed = await this.accounts.claimInvitation(tx, invitation.id, now);
      if (!claimed) throw new NotFoundError('邀请（可能已使用、已撤销或已过期）');
      const target = await this.roleToHold({ kind, institutionId: invitation.institutionId }, invitation.role, tx).catch((err: unknown) => {
        if (err instanceof NotFoundError) throw new ConflictError('role_gone', '邀请中的角色已被删除，请联系管理员重新邀请');
        throw err;
      });
      const account = await this.deps.accountsService.createStaff(
        { kind, username: invitation.username, password, displayName: invitation.displayName, role: target.role, customRoleId: target.customRole?.id ?? null, institutionId: invitation.institutionId },
        tx,
      );
      await this.accounts.linkInvitation(tx, invitation.id, account.id);
      await this.deps.audit.record({ kind, id: account.id }, { action: 'staff.invitation_accepted', objectType: 'invitation', objectId: invitation.id }, tx);
      return account;
    });
  }

  async revokeInvitation(scope: { kind: StaffKind; institutionId?: string | null }, id: string, actor: AuditActor): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      const revoked = await this.accounts.revokeInvitation(tx, scope, id, this.deps.clock.now());
      if (!revoked) throw new NotFoundError('邀请');
      await this.deps.audit.record(actor, { action: 'staff.invitation_revoked', objectType: 'invitation', objectId: id }, tx);
    });
  }

  async pendingInvitations(scope: { kind: StaffKind; institutionId?: string | null }, now = this.deps.clock.now()): Promise<Invitation[]> {
    const rows = await this.accounts.pendingInvitations(scope, now);
    return rows.map((r) => this.invitation(r));
  }

  /** Staff of one institution, or all operators. */
  async members(scope: StaffScope): Promise<StaffMember[]> {
    const rows = await this.accounts.members(scope);
    return rows.map((r) => this.member(r));
  }

  /** The colleague (404 outside the scope) and everyone in the scope, from one query. */
  private async memberIn(scope: { kind: StaffKind; institutionId?: string | null }, accountId: string): Promise<{ member: StaffMember; members: StaffMember[] }> {
    const members = await this.members(scope);
    const member = members.find((m) => m.id === accountId);
    if (!member) throw new NotFoundError('员工');
    return { member, members };
  }

  /**
   * Gives a colleague a role: a built-in role by name or one of the scope's custom roles by id
   * (another institution's: 404). Nobody changes their own role; the granter must hold every
   * permission the role grants (403); the scope's last holder of a managing permission cannot
   * lose it (409). Sessions started under the old role end. Audited with both roles.
   */
  async changeRole(scope: StaffScope, accountId: string, role: string, actor: AuditActor, granter: RoleHolder): Promise<void> {
    if (accountId === actor.id) throw new ConflictError('own_role', '不能修改自己的角色', { role: '不能修改自己的角色' });
    await withTransaction(this.deps.db, async (tx) => {
      await this.accounts.lockStaffScope(tx, scope);
      const members = (await this.accounts.members(scope, tx)).map((r) => this.member(r));
      const member = members.find((m) => m.id === accountId);
      if (!member) throw new NotFoundError('员工');
      const target = await this.roleToHold(scope, role, tx);
      assertGranterHolds(scope.kind, granter, heldPermissions(scope.kind, target));
      assertStillManaged(scope.kind, members, withChange(members, accountId, target));
      await this.accounts.setRole(tx, accountId, target.role, target.customRole?.id ?? null);
      await this.deps.audit.record(
        actor,
        { action: 'staff.role_changed', objectType: 'account', objectId: accountId, detail: { from: roleName(member), to: roleName(target), fromRole: member.customRole?.id ?? member.role, toRole: target.customRole?.id ?? target.role } },
        tx,
      );
    });
  }

  /** A role as a member would hold it: a built-in role's name, or a custom role of the scope (404 for another's). */
  private async roleToHold(scope: StaffScope, role: string, tx: Tx): Promise<Pick<Holding, 'role' | 'customRole'>> {
    if (rolesFor(scope.kind).includes(role)) return { role, customRole: null };
    if (!role.startsWith('role_')) throw new ValidationError('角色无效', { role: '请选择有效的角色' });
    const custom = await this.accounts.customRoleIn(scope, role, tx);
    if (!custom) throw new NotFoundError('角色');
    return { role: CUSTOM_ROLE, customRole: { id: custom.id, name: custom.name, permissions: custom.permissions } };
  }

  /** Freezes a staff member of this scope (institution admins for their colleagues, super admins for operators). */
  async setStaffFrozen(scope: { kind: StaffKind; institutionId?: string | null }, accountId: string, frozen: boolean, reason: string, actor: AuditActor): Promise<void> {
    if (accountId === actor.id) throw new ConflictError('own_account', '不能冻结自己的账号', { reason: '不能冻结自己的账号' });
    await this.memberIn(scope, accountId);
    await this.setFrozen(accountId, frozen, reason, actor);
  }

  /**
   * An admin resets a colleague's password (institution admins within their institution, super
   * admins for operators; 404 outside the scope, 409 for one's own: change it instead). The
   * colleague's sessions all end, and the one-time password returned here, shown once to the
   * admin, must be replaced at their next login.
   */
  async resetPassword(scope: { kind: StaffKind; institutionId?: string | null }, accountId: string, actor: AuditActor): Promise<{ member: StaffMember; oneTimePassword: string }> {
    if (accountId === actor.id) throw new ConflictError('own_account', '不能重置自己的密码，请在账号安全中修改', { password: '不能重置自己的密码，请在账号安全中修改' });
    const { member } = await this.memberIn(scope, accountId);
    const password = await withTransaction(this.deps.db, async (tx) => {
      const issued = await this.deps.accountsService.issueOneTimePassword(accountId, tx);
      await this.deps.audit.record(actor, { action: 'staff.password_reset', objectType: 'account', objectId: accountId, detail: { kind: scope.kind, institutionId: scope.institutionId ?? null } }, tx);
      return issued;
    });
    return { member, oneTimePassword: password };
  }

  /**
   * The first operator of a new deployment (the `create-operator` command): a super admin with a
   * one-time password, which must be replaced at first login (and TOTP set up where required).
   * Refused once any super admin exists, so the command cannot be used to take over.
   */
  async createFirstOperator(input: { username: string; displayName: string }, actor: AuditActor): Promise<{ account: SessionAccount; oneTimePassword: string }> {
    const username = input.username.trim().toLowerCase();
    const fields: Record<string, string> = {};
    if (!USERNAME.test(username)) fields.username = '用户名为 3–32 位小写字母、数字或 . _ -，以字母开头';
    if (!input.displayName.trim() || input.displayName.trim().length > 30) fields.displayName = '请填写 1–30 字的姓名';
    if (Object.keys(fields).length) throw new ValidationError('账号信息有误', fields);
    return withTransaction(this.deps.db, async (tx) => {
      // one at a time: two commands started together cannot both create a first operator
      await this.accounts.lockFirstOperator(tx);
      if (await this.accounts.superAdminExists(tx)) throw new ConflictError('operator_exists', '已存在超级管理员：请由其在运营后台邀请新成员或重置密码');
      let password = oneTimePassword();
      while (password.toLowerCase().includes(username)) password = oneTimePassword();
      const account = await this.deps.accountsService.createStaff(
        { kind: 'operator', username, password, displayName: input.displayName.trim(), role: 'super_admin', mustChangePassword: true },
        tx,
      );
      await this.deps.audit.record(actor, { action: 'staff.first_operator_created', objectType: 'account', objectId: account.id }, tx);
      return { account, oneTimePassword: password };
    });
  }

  /**
   * Freezes or unfreezes any account with a reason. Freezing ends every session at once (the
   * session version moves on) and the person cannot log in until unfrozen. Freezing a staff
   * member (from the staff pages or the operators' /admin/users) never leaves their institution,
   * or the operators, without an active member who can manage staff and roles (409, the scope
   * locked as for a role change, so two freezes at once cannot both pass).
   */
  async setFrozen(accountId: string, frozen: boolean, reason: string, actor: AuditActor): Promise<void> {
    const why = reason.trim();
    if (why.length < 2 || why.length > 200) throw new ValidationError('请填写原因', { reason: '请填写 2–200 字的原因' });
    const scope = await this.staffScopeOf(accountId);
    await withTransaction(this.deps.db, async (tx) => {
      if (scope && frozen) await this.accounts.lockStaffScope(tx, scope);
      const row = await this.accounts.lockById(tx, accountId);
      if (!row || row.status === 'closed') throw new NotFoundError('账号');
      if ((row.status === 'frozen') === frozen) throw new ConflictError('unchanged', frozen ? '账号已是冻结状态' : '账号未被冻结');
      if (scope && frozen) {
        const members = (await this.accounts.members(scope, tx)).map((r) => this.member(r));
        assertStillManaged(scope.kind, members, withChange(members, accountId, { status: 'frozen' }));
      }
      await this.accounts.setFrozen(tx, accountId, frozen, why);
      await this.deps.audit.record(actor, { action: frozen ? 'account.frozen' : 'account.unfrozen', objectType: 'account', objectId: accountId, detail: { reason: why } }, tx);
    });
  }

  /** The staff scope an account belongs to (its institution, or the operators); null for a consumer or a channel's staff. */
  private async staffScopeOf(accountId: string): Promise<StaffScope | null> {
    const row = await this.accounts.byId(accountId);
    if (row?.kind === 'operator') return { kind: 'operator', institutionId: null };
    if (row?.kind === 'institution' && row.institutionId) return { kind: 'institution', institutionId: row.institutionId };
    return null;
  }

  /**
   * Finds accounts for operators: a consumer by exact mobile number (looked up by its blind
   * index: the number is never searchable in clear), staff by exact username, anyone by id,
   * or staff by part of their name. Names are encrypted, so that last search opens the staff's
   * names (a few hundred people, never the consumers) and compares them here.
   */
  async search(query: string, kind?: 'consumer' | 'institution' | 'operator', limit = 50): Promise<StaffMember[]> {
    const q = query.trim();
    if (!q) return (await this.accounts.newestMembers(kind, limit)).map((r) => this.member(r));
    const ids = [q];
    const loginHashes: string[] = [];
    const digits = q.replace(/[\s-]/g, '');
    if (PHONE_PATTERN.test(digits)) loginHashes.push(this.loginHash('consumer', digits));
    loginHashes.push(this.loginHash('institution', q.toLowerCase()), this.loginHash('operator', q.toLowerCase()));
    if (kind !== 'consumer') {
      const staff = await this.accounts.staffNames();
      ids.push(...staff.filter((r) => openDisplayName(this.deps.pii, r.displayNameEnc).includes(q)).map((r) => r.id));
    }
    const rows = await this.accounts.matchingMembers({ kind, ids, loginHashes }, limit);
    return rows.map((r) => this.member(r));
  }

  /** An operator searches the users: a search with words in it is recorded (who looked for whom). */
  async searchAsOperator(actor: AuditActor, query: string, kind?: 'consumer' | 'institution' | 'operator'): Promise<StaffMember[]> {
    const rows = await this.search(query, kind);
    if (query) await this.deps.audit.recordNow(actor, { action: 'users.searched', objectType: 'account', objectId: null, detail: { kind: kind ?? null, results: rows.length } });
    return rows;
  }

  /** An operator opens one account: the view is recorded. */
  async viewAsOperator(actor: AuditActor, accountId: string): Promise<StaffMember> {
    const member = await this.get(accountId);
    await this.deps.audit.recordNow(actor, { action: 'account.viewed', objectType: 'account', objectId: member.id });
    return member;
  }

  /**
   * An operator corrects an account's details with a reason: the name (any account) and a
   * consumer's mobile number, which is their login. Both stay sealed; the audit row keeps what
   * changed before and after, masked. A number another consumer uses → 409 naming `phone`.
   */
  async editDetails(accountId: string, changes: { displayName?: string; phone?: string }, reason: string, actor: AuditActor): Promise<StaffMember> {
    const why = reason.trim();
    const problems: FieldErrors = {};
    if (why.length < 2 || why.length > 200) problems.reason = '请填写 2–200 字的修改原因';
    const name = changes.displayName?.trim();
    if (name !== undefined && ([...name].length < 1 || [...name].length > 30)) problems.displayName = '名称须为 1–30 字';
    const phone = changes.phone?.replace(/[\s-]/g, '');
    if (phone !== undefined && !PHONE_PATTERN.test(phone)) problems.phone = '请输入 11 位中国大陆手机号';
    if (Object.keys(problems).length > 0) throw new ValidationError('用户信息有误', problems);
    const taken = () => new ConflictError('account_exists', '这个手机号已被其他账号使用', { phone: '这个手机号已被其他账号使用' });
    await withTransaction(this.deps.db, async (tx) => {
      const row = await this.accounts.lockById(tx, accountId);
      if (!row || row.status === 'closed') throw new NotFoundError('账号');
      if (phone !== undefined && row.kind !== 'consumer') throw new ValidationError('用户信息有误', { phone: '员工账号以用户名登录，没有手机号可改' });
      const before: Record<string, string> = {};
      const after: Record<string, string> = {};
      const update: Parameters<AccountsRepository['setDetails']>[2] = {};
      const oldName = openDisplayName(this.deps.pii, row.displayNameEnc);
      if (name !== undefined && name !== oldName) {
        update.displayNameEnc = this.deps.pii.encrypt(name);
        [before.displayName, after.displayName] = [maskName(oldName), maskName(name)];
      }
      const oldPhone = this.deps.pii.decrypt(row.loginEnc);
      if (phone !== undefined && phone !== oldPhone) {
        const loginHash = this.loginHash('consumer', phone);
        if (await this.accounts.refByLogin('consumer', loginHash, tx)) throw taken();
        Object.assign(update, { loginHash, loginEnc: this.deps.pii.encrypt(phone), loginMasked: maskPhone(phone) });
        [before.phone, after.phone] = [maskPhone(oldPhone), maskPhone(phone)];
      }
      if (Object.keys(update).length === 0) throw new ConflictError('unchanged', '没有需要保存的修改');
      await this.accounts.setDetails(tx, accountId, update);
      await this.deps.audit.record(actor, { action: 'account.details_edited', objectType: 'account', objectId: accountId, detail: { reason: why, before, after } }, tx);
    }).catch((err: unknown) => {
      if (sqlState(err) === UNIQUE_VIOLATION) throw taken();
      throw err;
    });
    return this.get(accountId);
  }

  async get(accountId: string): Promise<StaffMember> {
    const row = await this.accounts.member(accountId);
    if (!row) throw new NotFoundError('账号');
    return this.member(row);
  }

}
