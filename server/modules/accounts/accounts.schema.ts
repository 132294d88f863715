import { sql } from 'drizzle-orm';
import { bigint, boolean, check, index, integer, pgTable, primaryKey, text, timestamp, uniqueIndex } from 'drizzle-orm/pg-core';
import { institutions } from '../institutions/institutions.schema';

export const accountKinds = ['consumer', 'institution', 'operator', 'channel'] as const;
export type AccountKind = (typeof accountKinds)[number];

/**
 * A role an operator or an institution admin defined from the permission catalogue (the code's
 * permission tables): operator roles (`institution_id` null) or one institution's own roles.
 * Staff holding one have `role = 'custom'` and `custom_role_id` set; permissions are read with
 * the account on every request (server/modules/accounts/roles.service.ts, docs/security.md).
 */
export const customRoles = pgTable(
  'custom_roles',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: ['operator', 'institution'] }).notNull(),
    institutionId: text('institution_id').references(() => institutions.id),
    name: text('name').notNull(),
    /** permission names from the kind's table in permissions.ts; names the code no longer has are ignored */
    permissions: text('permissions').array().notNull(),
    createdBy: text('created_by'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('custom_roles_scope_name_uq').on(t.kind, sql`coalesce(${t.institutionId}, '')`, t.name),
    check('custom_roles_institution_check', sql`(${t.kind} = 'institution') = (${t.institutionId} is not null)`),
  ],
);

/**
 * Every person who logs in: consumers (login = mobile number), institution staff and
 * operator staff (login = username). The login is PII: it is stored encrypted, looked up
 * by a keyed hash (blind index), and shown masked.
 */
export const accounts = pgTable(
  'accounts',
  {
    id: text('id').primaryKey(),
    kind: text('kind', { enum: accountKinds }).notNull(),
    loginHash: text('login_hash').notNull(),
    loginEnc: text('login_enc').notNull(),
    loginMasked: text('login_masked').notNull(),
    passwordHash: text('password_hash').notNull(),
    /** the name shown for the account (a consumer's nickname, a staff member's name): personal data, sealed with the PII cipher */
    displayNameEnc: text('display_name_enc'),
    /**
     * the name in clear, as it was kept before it was encrypted: sealed into `display_name_enc` and
     * emptied at start-up (server/db/data-steps.ts); nothing writes it. Drop it in a later release.
     */
    legacyDisplayName: text('display_name'),
    role: text('role').notNull(),
    /** `role = 'custom'`: the custom role held (a role held by someone cannot be deleted) */
    customRoleId: text('custom_role_id').references(() => customRoles.id, { onDelete: 'restrict' }),
    institutionId: text('institution_id').references(() => institutions.id),
    /** a channel partner's staff: the channel (server/modules/channels; no FK here, the channels schema refers to accounts) */
    channelId: text('channel_id'),
    status: text('status', { enum: ['active', 'frozen', 'closed'] })
      .notNull()
      .default('active'),
    /** bumped by "log out everywhere" and password changes: older sessions stop working */
    sessionVersion: integer('session_version').notNull().default(0),
    /** the password is a one-time password (an admin's reset, the create-operator command): it must be changed before anything else */
    mustChangePassword: boolean('must_change_password').notNull().default(false),
    /** why an operator froze the account, shown to operators */
    frozenReason: text('frozen_reason'),
    /** TOTP secret (encrypted); MFA is on once `totpEnabledAt` is set */
    totpSecretEnc: text('totp_secret_enc'),
    totpEnabledAt: timestamp('totp_enabled_at', { withTimezone: true }),
    /** the last TOTP time step accepted, so a code works once */
    totpLastStep: bigint('totp_last_step', { mode: 'number' }),
    lastLoginAt: timestamp('last_login_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('accounts_kind_login_uq').on(t.kind, t.loginHash),
    index('accounts_institution_idx').on(t.institutionId),
    // the name is kept once: sealed, or (until the start-up step seals it) as it was
    check('accounts_display_name_check', sql`(${t.displayNameEnc} is null) <> (${t.legacyDisplayName} is null)`),
    check(
      'accounts_institution_staff_check',
      sql`(${t.kind} = 'institution') = (${t.institutionId} is not null)`,
    ),
    check('accounts_channel_staff_check', sql`(${t.kind} = 'channel') = (${t.channelId} is not null)`),
    check(
      'accounts_role_check',
      sql`(${t.kind} = 'consumer' and ${t.role} = 'consumer')
        or (${t.kind} = 'institution' and ${t.role} in ('admin','product_manager','lead_handler','finance','custom'))
        or (${t.kind} = 'operator' and ${t.role} in ('super_admin','operations','product_reviewer','customer_service','risk_officer','finance','custom'))
        or (${t.kind} = 'channel' and ${t.role} in ('channel_admin','channel_analyst'))`,
    ),
    check('accounts_custom_role_check', sql`(${t.role} = 'custom') = (${t.customRoleId} is not null)`),
    index('accounts_custom_role_idx').on(t.customRoleId),
  ],
);

/** What a consumer told us about themselves, used for eligibility and recommendations. */
export const consumerProfiles = pgTable(
  'consumer_profiles',
  {
    accountId: text('account_id')
      .primaryKey()
      .references(() => accounts.id),
    age: integer('age'),
    city: text('city'),
    monthlyIncomeFen: bigint('monthly_income_fen', { mode: 'number' }),
    employment: text('employment'),
    creditSelfAssessment: text('credit_self_assessment'),
    /** 自有住房 | 按揭 | 租房 | 与父母同住 | 其他 */
    housing: text('housing'),
    /** existing monthly repayments on other debts */
    monthlyDebtFen: bigint('monthly_debt_fen', { mode: 'number' }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check('consumer_profiles_age_check', sql`${t.age} is null or ${t.age} between 16 and 100`),
    check('consumer_profiles_income_check', sql`${t.monthlyIncomeFen} is null or ${t.monthlyIncomeFen} >= 0`),
  ],
);

/** One-time SMS codes. Only a keyed hash of the code is stored. */
export const otpCodes = pgTable(
  'otp_codes',
  {
    id: text('id').primaryKey(),
    purpose: text('purpose', { enum: ['register', 'reset_password', 'login', 'sign'] }).notNull(),
    phoneHash: text('phone_hash').notNull(),
    codeHash: text('code_hash').notNull(),
    attempts: integer('attempts').notNull().default(0),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    consumedAt: timestamp('consumed_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index('otp_codes_phone_idx').on(t.phoneHash, t.purpose, t.createdAt)],
);

/** How institutions may contact the consumer. Shown on every lead. */
export const contactPreferences = pgTable('contact_preferences', {
  accountId: text('account_id')
    .primaryKey()
    .references(() => accounts.id),
  allowSms: boolean('allow_sms').notNull().default(true),
  allowCall: boolean('allow_call').notNull().default(true),
  allowInApp: boolean('allow_in_app').notNull().default(true),
  /** local time in Asia/Shanghai, 'HH:MM' */
  quietStart: text('quiet_start').notNull().default('22:00'),
  quietEnd: text('quiet_end').notNull().default('08:00'),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

/** "Stop contacting me" for one institution. */
export const contactBlocks = pgTable(
  'contact_blocks',
  {
    accountId: text('account_id')
      .notNull()
      .references(() => accounts.id),
    institutionId: text('institution_id').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.accountId, t.institutionId] })],
);

/**
 * An invitation to become staff: the first admin of a newly approved institution, a colleague
 * invited by an institution admin, or an operator invited by a super admin. Only a hash of the
 * token is kept; accepting sets the password and creates the account.
 */
export const staffInvitations = pgTable(
  'staff_invitations',
  {
    id: text('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    kind: text('kind', { enum: ['institution', 'operator'] }).notNull(),
    institutionId: text('institution_id').references(() => institutions.id),
    username: text('username').notNull(),
    /** the invitee's name, sealed with the PII cipher */
    displayNameEnc: text('display_name_enc'),
    /** the name in clear from before it was encrypted; sealed and emptied at start-up, nothing writes it */
    legacyDisplayName: text('display_name'),
    role: text('role').notNull(),
    invitedBy: text('invited_by'),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    acceptedAt: timestamp('accepted_at', { withTimezone: true }),
    accountId: text('account_id').references(() => accounts.id),
    revokedAt: timestamp('revoked_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('staff_invitations_institution_idx').on(t.institutionId),
    check('staff_invitations_institution_check', sql`(${t.kind} = 'institution') = (${t.institutionId} is not null)`),
    check('staff_invitations_display_name_check', sql`(${t.displayNameEnc} is null) <> (${t.legacyDisplayName} is null)`),
  ],
);

/**
 * Failed sign-in attempts per key, with the wait they impose (login-throttle.ts). Keys are
 * `password:<login blind index>` (kept for logins that do not exist too, so a throttle says
 * nothing about whether an account exists) and `totp:<account id>`.
 */
export const loginThrottles = pgTable(
  'login_throttles',
  {
    key: text('key').primaryKey(),
    failures: integer('failures').notNull(),
    blockedUntil: timestamp('blocked_until', { withTimezone: true }),
    lastFailureAt: timestamp('last_failure_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('login_throttles_last_failure_idx').on(t.lastFailureAt)],
);
