import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, lt, ne, or, sql, type SQL } from 'drizzle-orm';
import type { Database } from '../../db/client';
import { preparedQuery } from '../../db/prepared-query';
import type { Tx } from '../../lib/tx';
import { accounts, consumerProfiles, contactBlocks, contactPreferences, customRoles, loginThrottles, otpCodes, staffInvitations, type AccountKind } from './accounts.schema';

export type AccountRow = typeof accounts.$inferSelect;
export type AccountInsert = typeof accounts.$inferInsert;
export type OtpCodeRow = typeof otpCodes.$inferSelect;
export type OtpCodeInsert = typeof otpCodes.$inferInsert;
export type ProfileRow = typeof consumerProfiles.$inferSelect;
export type ProfileValues = Omit<typeof consumerProfiles.$inferInsert, 'accountId'>;
export type ContactPreferencesRow = typeof contactPreferences.$inferSelect;
export type ContactPreferencesValues = Omit<typeof contactPreferences.$inferInsert, 'accountId'>;
export type InvitationRow = typeof staffInvitations.$inferSelect;
export type CustomRoleRow = typeof customRoles.$inferSelect;
// every signed-in request reads its account: rendered once (db/prepared-query.ts)
const activeAccountById = preparedQuery(['id', 'kind'], (db, p) =>
  db
    .select({ account: accounts, customRoleId: customRoles.id, customRoleName: customRoles.name, customRolePermissions: customRoles.permissions })
    .from(accounts)
    .leftJoin(customRoles, eq(customRoles.id, accounts.customRoleId))
    .where(and(eq(accounts.id, p.id), eq(accounts.kind, p.kind), eq(accounts.status, 'active'))),
);

/** A custom role as an account carries it: read with the account, in the same statement. */
export interface HeldCustomRole {
  id: string;
  name: string;
  permissions: string[];
}
export type LoginThrottleRow = typeof loginThrottles.$inferSelect;
export type InvitationInsert = typeof staffInvitations.$inferInsert;
/** The staff (or operators') scope a list or change is limited to. */
export interface StaffScope {
  kind: 'institution' | 'operator';
  institutionId?: string | null;
}

/** The columns of an account the staff pages and the operators' user search show (the name still sealed). */
const memberColumns = {
  id: accounts.id,
  kind: accounts.kind,
  role: accounts.role,
  displayNameEnc: accounts.displayNameEnc,
  loginMasked: accounts.loginMasked,
  institutionId: accounts.institutionId,
  status: accounts.status,
  frozenReason: accounts.frozenReason,
  mfaEnabled: sql<boolean>`${accounts.totpEnabledAt} is not null`,
  lastLoginAt: accounts.lastLoginAt,
  createdAt: accounts.createdAt,
  customRoleId: customRoles.id,
  customRoleName: customRoles.name,
  customRolePermissions: customRoles.permissions,
};

/** The custom role of a joined row (null for a built-in role). */
export function heldCustomRole(row: { customRoleId: string | null; customRoleName: string | null; customRolePermissions: string[] | null }): HeldCustomRole | null {
  return row.customRoleId ? { id: row.customRoleId, name: row.customRoleName ?? '', permissions: row.customRolePermissions ?? [] } : null;
}

export interface MemberRow {
  id: string;
  kind: AccountKind;
  role: string;
  displayNameEnc: string | null;
  loginMasked: string;
  institutionId: string | null;
  status: 'active' | 'frozen' | 'closed';
  frozenReason: string | null;
  mfaEnabled: boolean;
  lastLoginAt: Date | null;
  createdAt: Date;
  customRoleId: string | null;
  customRoleName: string | null;
  customRolePermissions: string[] | null;
}

/** What a user search matches: any of the ids or login blind indexes, within one kind when given. */
export interface MemberMatch {
  kind?: AccountKind;
  ids: string[];
  loginHashes: string[];
}

const bumpSessionVersion = () => sql`${accounts.sessionVersion} + 1`;

/** SQL for accounts, one-time codes, profiles, contact settings and staff invitations. Reads take the database; writes take the caller's transaction. */
export class AccountsRepository {
  constructor(private readonly db: Database) {}

  // ── accounts ───────────────────────────────────────────────────────────────────────────
  async byLogin(kind: AccountKind, loginHash: string, db: Database = this.db): Promise<AccountRow | undefined> {
    const [row] = await db.select().from(accounts).where(and(eq(accounts.kind, kind), eq(accounts.loginHash, loginHash)));
    return row;
  }

  /** The id and blind index of the account with this login (enough to check it exists or to write its password). */
  async refByLogin(kind: AccountKind, loginHash: string, db: Database = this.db): Promise<{ id: string; loginHash: string } | undefined> {
    const [row] = await db.select({ id: accounts.id, loginHash: accounts.loginHash }).from(accounts).where(and(eq(accounts.kind, kind), eq(accounts.loginHash, loginHash)));
    return row;
  }

  async refById(id: string, db: Database = this.db): Promise<{ id: string; loginHash: string } | undefined> {
    const [row] = await db.select({ id: accounts.id, loginHash: accounts.loginHash }).from(accounts).where(eq(accounts.id, id));
    return row;
  }

  async byId(id: string, db: Database = this.db): Promise<AccountRow | undefined> {
    const [row] = await db.select().from(accounts).where(eq(accounts.id, id));
    return row;
  }

  /** The account's row, locked for the rest of the transaction. */
  async lockById(tx: Tx, id: string): Promise<AccountRow | undefined> {
    const [row] = await tx.select().from(accounts).where(eq(accounts.id, id)).for('update');
    return row;
  }

  /** The active account with its custom role's permissions, in one statement (read on every request). */
  async activeById(kind: AccountKind, id: string): Promise<{ account: AccountRow; customRole: HeldCustomRole | null } | undefined> {
    const [row] = await activeAccountById(this.db, { id, kind });
    return row ? { account: row.account, customRole: heldCustomRole(row) } : undefined;
  }

  async count(kind: AccountKind): Promise<number> {
    const [row] = await this.db.select({ n: sql<number>`count(*)::int` }).from(accounts).where(eq(accounts.kind, kind));
    return row?.n ?? 0;
  }

  async loginEncOf(id: string): Promise<string | undefined> {
    const [row] = await this.db.select({ loginEnc: accounts.loginEnc }).from(accounts).where(eq(accounts.id, id));
    return row?.loginEnc;
  }

  async statusOf(id: string): Promise<AccountRow['status'] | undefined> {
    const [row] = await this.db.select({ status: accounts.status }).from(accounts).where(eq(accounts.id, id));
    return row?.status;
  }

  async passwordHashOf(id: string): Promise<string | undefined> {
    const [row] = await this.db.select({ hash: accounts.passwordHash }).from(accounts).where(eq(accounts.id, id));
    return row?.hash;
  }

  /** Whether an operator with the super admin role exists. */
  async superAdminExists(db: Database = this.db): Promise<boolean> {
    const [row] = await db.select({ id: accounts.id }).from(accounts).where(and(eq(accounts.kind, 'operator'), eq(accounts.role, 'super_admin')));
    return row !== undefined;
  }

  /** Holds the first-operator lock for the transaction: two such creations run one after the other. */
  async lockFirstOperator(tx: Tx): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('create-first-operator'))`);
  }

  /** Inserts an account (a unique violation on the login reaches the caller). */
  async insert(tx: Tx, row: AccountInsert): Promise<AccountRow> {
    const [created] = await tx.insert(accounts).values(row).returning();
    return created!;
  }

  async touchLogin(tx: Tx, id: string, at: Date): Promise<void> {
    await tx.update(accounts).set({ lastLoginAt: at }).where(eq(accounts.id, id));
  }

  /** Writes a password hash and ends every session (the version moves on). */
  async setPassword(tx: Tx, id: string, passwordHash: string, mustChangePassword: boolean): Promise<void> {
    await tx.update(accounts).set({ passwordHash, sessionVersion: bumpSessionVersion(), mustChangePassword }).where(eq(accounts.id, id));
  }

  /** Ends every session of the account. */
  async endSessions(tx: Tx, id: string): Promise<void> {
    await tx.update(accounts).set({ sessionVersion: bumpSessionVersion() }).where(eq(accounts.id, id));
  }

  /** A new role, and sessions started under the old one end. */
  /** A built-in role, or `custom` with the custom role's id; sessions started under the old role end. */
  async setRole(tx: Tx, id: string, role: string, customRoleId: string | null = null): Promise<void> {
    await tx.update(accounts).set({ role, customRoleId, sessionVersion: bumpSessionVersion() }).where(eq(accounts.id, id));
  }

  /** Freezes (every session ends) or unfreezes the account. */
  async setFrozen(tx: Tx, id: string, frozen: boolean, reason: string): Promise<void> {
    await tx
      .update(accounts)
      .set(frozen ? { status: 'frozen', frozenReason: reason, sessionVersion: bumpSessionVersion() } : { status: 'active', frozenReason: null })
      .where(eq(accounts.id, id));
  }

  /** Replaces the account's sealed name and/or login (an operator's edit). */
  async setDetails(tx: Tx, id: string, changes: { displayNameEnc?: string; loginHash?: string; loginEnc?: string; loginMasked?: string }): Promise<void> {
    await tx.update(accounts).set(changes).where(eq(accounts.id, id));
  }

  /**
   * Closes the account: its profile and contact settings deleted, its login and name replaced by
   * the sealed values given, the password unusable, every session ended.
   */
  async close(tx: Tx, id: string, sealed: { loginHash: string; loginEnc: string; displayNameEnc: string }): Promise<void> {
    await tx.delete(consumerProfiles).where(eq(consumerProfiles.accountId, id));
    await tx.delete(contactPreferences).where(eq(contactPreferences.accountId, id));
    await tx.delete(contactBlocks).where(eq(contactBlocks.accountId, id));
    await tx
      .update(accounts)
      .set({
        status: 'closed',
        loginHash: sealed.loginHash,
        loginEnc: sealed.loginEnc,
        loginMasked: '已注销',
        displayNameEnc: sealed.displayNameEnc,
        legacyDisplayName: null,
        passwordHash: 'closed',
        sessionVersion: bumpSessionVersion(),
      })
      .where(eq(accounts.id, id));
  }

  // ── one-time codes ─────────────────────────────────────────────────────────────────────
  /** When codes were created for this number after `since`, newest first. */
  codesSince(phoneHash: string, since: Date): Promise<{ createdAt: Date; purpose: string }[]> {
    return this.db
      .select({ createdAt: otpCodes.createdAt, purpose: otpCodes.purpose })
      .from(otpCodes)
      .where(and(eq(otpCodes.phoneHash, phoneHash), gt(otpCodes.createdAt, since)))
      .orderBy(desc(otpCodes.createdAt));
  }

  async insertCode(tx: Tx, row: OtpCodeInsert): Promise<void> {
    await tx.insert(otpCodes).values(row);
  }

  /** The newest unused, unexpired code of this number for this purpose. */
  async liveCode(phoneHash: string, purpose: OtpCodeRow['purpose'], now: Date): Promise<OtpCodeRow | undefined> {
    const [row] = await this.db
      .select()
      .from(otpCodes)
      .where(and(eq(otpCodes.phoneHash, phoneHash), eq(otpCodes.purpose, purpose), isNull(otpCodes.consumedAt), gt(otpCodes.expiresAt, now)))
      .orderBy(desc(otpCodes.createdAt))
      .limit(1);
    return row;
  }

  async countWrongTry(tx: Tx, id: string): Promise<void> {
    await tx.update(otpCodes).set({ attempts: sql`${otpCodes.attempts} + 1` }).where(eq(otpCodes.id, id));
  }

  /** Marks the code used; false when it already was (a concurrent request). */
  async consumeCode(tx: Tx, id: string, at: Date): Promise<boolean> {
    const consumed = await tx
      .update(otpCodes)
      .set({ consumedAt: at })
      .where(and(eq(otpCodes.id, id), isNull(otpCodes.consumedAt)))
      .returning({ id: otpCodes.id });
    return consumed.length > 0;
  }

  // ── profile and contact settings ───────────────────────────────────────────────────────
  async profile(accountId: string): Promise<ProfileRow | undefined> {
    const [row] = await this.db.select().from(consumerProfiles).where(eq(consumerProfiles.accountId, accountId));
    return row;
  }

  /** Writes the fields given (the others are kept) and returns the whole profile. */
  async upsertProfile(tx: Tx, accountId: string, values: ProfileValues): Promise<ProfileRow> {
    const [row] = await tx
      .insert(consumerProfiles)
      .values({ accountId, ...values })
      .onConflictDoUpdate({ target: consumerProfiles.accountId, set: values })
      .returning();
    return row!;
  }

  async contactPreferences(accountId: string): Promise<ContactPreferencesRow | undefined> {
    const [row] = await this.db.select().from(contactPreferences).where(eq(contactPreferences.accountId, accountId));
    return row;
  }

  async blockedInstitutionIds(accountId: string): Promise<string[]> {
    const rows = await this.db.select({ id: contactBlocks.institutionId }).from(contactBlocks).where(eq(contactBlocks.accountId, accountId));
    return rows.map((r) => r.id);
  }

  async upsertContactPreferences(tx: Tx, accountId: string, values: ContactPreferencesValues): Promise<void> {
    await tx
      .insert(contactPreferences)
      .values({ accountId, ...values })
      .onConflictDoUpdate({ target: contactPreferences.accountId, set: values });
  }

  async addContactBlock(tx: Tx, accountId: string, institutionId: string): Promise<void> {
    await tx.insert(contactBlocks).values({ accountId, institutionId }).onConflictDoNothing();
  }

  async removeContactBlock(tx: Tx, accountId: string, institutionId: string): Promise<void> {
    await tx.delete(contactBlocks).where(and(eq(contactBlocks.accountId, accountId), eq(contactBlocks.institutionId, institutionId)));
  }

  // ── staff ──────────────────────────────────────────────────────────────────────────────
  private staffWhere(scope: StaffScope): SQL | undefined {
    return scope.kind === 'institution'
      ? and(eq(accounts.kind, 'institution'), eq(accounts.institutionId, scope.institutionId!))
      : eq(accounts.kind, 'operator');
  }

  /** Staff of one institution, or all operators, oldest first. */
  members(scope: StaffScope, db: Database = this.db): Promise<MemberRow[]> {
    return db.select(memberColumns).from(accounts).leftJoin(customRoles, eq(customRoles.id, accounts.customRoleId)).where(this.staffWhere(scope)).orderBy(asc(accounts.createdAt));
  }

  async member(id: string): Promise<MemberRow | undefined> {
    const [row] = await this.db.select(memberColumns).from(accounts).leftJoin(customRoles, eq(customRoles.id, accounts.customRoleId)).where(eq(accounts.id, id));
    return row;
  }

  /** The newest accounts (of one kind when given). */
  newestMembers(kind: AccountKind | undefined, limit: number): Promise<MemberRow[]> {
    return this.db
      .select(memberColumns)
      .from(accounts)
      .leftJoin(customRoles, eq(customRoles.id, accounts.customRoleId))
      .where(kind ? eq(accounts.kind, kind) : undefined)
      .orderBy(desc(accounts.createdAt))
      .limit(limit);
  }

  /** Every staff and operator account's id and sealed name (a few hundred, never consumers). */
  staffNames(): Promise<{ id: string; displayNameEnc: string | null }[]> {
    return this.db.select({ id: accounts.id, displayNameEnc: accounts.displayNameEnc }).from(accounts).where(ne(accounts.kind, 'consumer'));
  }

  /** Accounts matching any of the ids or logins, newest first. */
  matchingMembers(match: MemberMatch, limit: number): Promise<MemberRow[]> {
    const conditions = [...(match.ids.length ? [inArray(accounts.id, match.ids)] : []), ...(match.loginHashes.length ? [inArray(accounts.loginHash, match.loginHashes)] : [])];
    return this.db
      .select(memberColumns)
      .from(accounts)
      .leftJoin(customRoles, eq(customRoles.id, accounts.customRoleId))
      .where(and(match.kind ? eq(accounts.kind, match.kind) : undefined, or(...conditions)))
      .orderBy(desc(accounts.createdAt))
      .limit(limit);
  }

  // ── custom roles ───────────────────────────────────────────────────────────────────────
  private customRoleScope(scope: StaffScope): SQL | undefined {
    return scope.kind === 'institution'
      ? and(eq(customRoles.kind, 'institution'), eq(customRoles.institutionId, scope.institutionId!))
      : and(eq(customRoles.kind, 'operator'), isNull(customRoles.institutionId));
  }

  /** The custom roles of one institution, or the operators', oldest first. */
  customRolesIn(scope: StaffScope, db: Database = this.db): Promise<CustomRoleRow[]> {
    return db.select().from(customRoles).where(this.customRoleScope(scope)).orderBy(asc(customRoles.createdAt), asc(customRoles.id));
  }

  /** One custom role of the scope (undefined for another institution's, or the other kind's). */
  async customRoleIn(scope: StaffScope, id: string, db: Database = this.db): Promise<CustomRoleRow | undefined> {
    const [row] = await db.select().from(customRoles).where(and(this.customRoleScope(scope), eq(customRoles.id, id)));
    return row;
  }

  async insertCustomRole(tx: Tx, row: typeof customRoles.$inferInsert): Promise<CustomRoleRow> {
    const [created] = await tx.insert(customRoles).values(row).returning();
    return created!;
  }

  async updateCustomRole(tx: Tx, id: string, changes: { name: string; permissions: string[]; updatedAt: Date }): Promise<void> {
    await tx.update(customRoles).set(changes).where(eq(customRoles.id, id));
  }

  async deleteCustomRole(tx: Tx, id: string): Promise<void> {
    await tx.delete(customRoles).where(eq(customRoles.id, id));
  }

  /**
   * One change to who holds what in a scope at a time (roles, assignments, freezing), so two
   * concurrent changes cannot together take the last manager's permissions away.
   */
  async lockStaffScope(tx: Tx, scope: StaffScope): Promise<void> {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`staff-scope:${scope.kind}:${scope.institutionId ?? ''}`}))`);
  }

  // ── staff invitations ──────────────────────────────────────────────────────────────────
  private invitationScope(scope: StaffScope): SQL {
    return scope.kind === 'institution' ? eq(staffInvitations.institutionId, scope.institutionId!) : isNull(staffInvitations.institutionId);
  }

  /** Whether an invitation of this username is still open at `now`. */
  async invitationPendingFor(kind: StaffScope['kind'], username: string, now: Date, db: Database = this.db): Promise<boolean> {
    const [row] = await db
      .select({ id: staffInvitations.id })
      .from(staffInvitations)
      .where(and(eq(staffInvitations.kind, kind), eq(staffInvitations.username, username), isNull(staffInvitations.acceptedAt), isNull(staffInvitations.revokedAt), gt(staffInvitations.expiresAt, now)));
    return row !== undefined;
  }

  async insertInvitation(tx: Tx, row: InvitationInsert): Promise<InvitationRow> {
    const [created] = await tx.insert(staffInvitations).values(row).returning();
    return created!;
  }

  async invitationByToken(kind: StaffScope['kind'], tokenHash: string): Promise<InvitationRow | undefined> {
    const [row] = await this.db.select().from(staffInvitations).where(and(eq(staffInvitations.tokenHash, tokenHash), eq(staffInvitations.kind, kind)));
    return row;
  }

  /** Marks the invitation accepted, once: false when someone already did. */
  async claimInvitation(tx: Tx, id: string, at: Date): Promise<boolean> {
    const claimed = await tx
      .update(staffInvitations)
      .set({ acceptedAt: at })
      .where(and(eq(staffInvitations.id, id), isNull(staffInvitations.acceptedAt)))
      .returning({ id: staffInvitations.id });
    return claimed.length > 0;
  }

  async linkInvitation(tx: Tx, id: string, accountId: string): Promise<void> {
    await tx.update(staffInvitations).set({ accountId }).where(eq(staffInvitations.id, id));
  }

  /** Revokes an open invitation of the scope; false when there is none. */
  async revokeInvitation(tx: Tx, scope: StaffScope, id: string, at: Date): Promise<boolean> {
    const revoked = await tx
      .update(staffInvitations)
      .set({ revokedAt: at })
      .where(and(eq(staffInvitations.id, id), eq(staffInvitations.kind, scope.kind), this.invitationScope(scope), isNull(staffInvitations.acceptedAt), isNull(staffInvitations.revokedAt)))
      .returning({ id: staffInvitations.id });
    return revoked.length > 0;
  }

  /** The scope's open invitations at `now`, newest first. */
  pendingInvitations(scope: StaffScope, now: Date): Promise<InvitationRow[]> {
    return this.db
      .select()
      .from(staffInvitations)
      .where(and(eq(staffInvitations.kind, scope.kind), this.invitationScope(scope), isNull(staffInvitations.acceptedAt), isNull(staffInvitations.revokedAt), gt(staffInvitations.expiresAt, now)))
      .orderBy(desc(staffInvitations.createdAt));
  }

  // ── second factor (TOTP) ───────────────────────────────────────────────────────────────
  /** The account's sealed TOTP secret, when it was enabled, and the last time step accepted. */
  async totpState(id: string): Promise<{ enc: string | null; on: Date | null; last: number | null } | undefined> {
    const [row] = await this.db.select({ enc: accounts.totpSecretEnc, on: accounts.totpEnabledAt, last: accounts.totpLastStep }).from(accounts).where(eq(accounts.id, id));
    return row;
  }

  /** Stores a new secret being set up, unless TOTP is already in force. */
  async setPendingTotpSecret(tx: Tx, id: string, secretEnc: string): Promise<void> {
    await tx.update(accounts).set({ totpSecretEnc: secretEnc }).where(and(eq(accounts.id, id), isNull(accounts.totpEnabledAt)));
  }

  async enableTotp(tx: Tx, id: string, at: Date, step: number): Promise<void> {
    await tx.update(accounts).set({ totpEnabledAt: at, totpLastStep: step }).where(eq(accounts.id, id));
  }

  /** Claims a time step atomically: false when it (or a later one) was already used. */
  async claimTotpStep(tx: Tx, id: string, step: number): Promise<boolean> {
    const claimed = await tx
      .update(accounts)
      .set({ totpLastStep: step })
      .where(and(eq(accounts.id, id), or(isNull(accounts.totpLastStep), lt(accounts.totpLastStep, step))))
      .returning({ id: accounts.id });
    return claimed.length > 0;
  }

  async disableTotp(tx: Tx, id: string): Promise<void> {
    await tx.update(accounts).set({ totpEnabledAt: null, totpSecretEnc: null, totpLastStep: null }).where(eq(accounts.id, id));
  }

  // ── sign-in throttles ──────────────────────────────────────────────────────────────────
  /** The key's row (made with no failures when there is none), locked for the rest of the transaction. */
  async lockThrottle(tx: Tx, key: string, now: Date): Promise<LoginThrottleRow> {
    await tx.insert(loginThrottles).values({ key, failures: 0, lastFailureAt: now }).onConflictDoNothing();
    const [row] = await tx.select().from(loginThrottles).where(eq(loginThrottles.key, key)).for('update');
    return row!;
  }

  async setThrottle(tx: Tx, key: string, changes: Pick<LoginThrottleRow, 'failures' | 'lastFailureAt' | 'blockedUntil'>): Promise<void> {
    await tx.update(loginThrottles).set(changes).where(eq(loginThrottles.key, key));
  }

  async throttleBlockedUntil(key: string): Promise<Date | null | undefined> {
    const [row] = await this.db.select({ until: loginThrottles.blockedUntil }).from(loginThrottles).where(eq(loginThrottles.key, key));
    return row?.until;
  }

  async deleteThrottle(tx: Tx, key: string): Promise<void> {
    await tx.delete(loginThrottles).where(eq(loginThrottles.key, key));
  }

  /** Deletes the keys with no failure since `before`; how many went. */
  async deleteThrottlesBefore(tx: Tx, before: Date): Promise<number> {
    const gone = await tx.delete(loginThrottles).where(lt(loginThrottles.lastFailureAt, before)).returning({ key: loginThrottles.key });
    return gone.length;
  }

  // ── names kept in clear before they were sealed ────────────────────────────────────────
  /** Up to `limit` accounts or invitations whose name is still in clear, locked for the rest of the transaction. */
  legacyNames(tx: Tx, table: 'accounts' | 'invitations', limit: number): Promise<{ id: string; name: string | null }[]> {
    const t = table === 'accounts' ? accounts : staffInvitations;
    return tx.select({ id: t.id, name: t.legacyDisplayName }).from(t).where(isNotNull(t.legacyDisplayName)).limit(limit).for('update');
  }

  /** Stores the sealed name and empties the clear one. */
  async sealName(tx: Tx, table: 'accounts' | 'invitations', id: string, displayNameEnc: string): Promise<void> {
    const t = table === 'accounts' ? accounts : staffInvitations;
    await tx.update(t).set({ displayNameEnc, legacyDisplayName: null }).where(eq(t.id, id));
  }
}
