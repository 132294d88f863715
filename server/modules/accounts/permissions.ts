/**
 * Roles and what each may do. Routes ask for a permission, never for a role, so a role's
 * reach is read in one place: the tables below. These tables are also the permission
 * catalogue custom roles are made from (roles.service.ts): a permission added here is offered
 * in the role editor at once. A staff member holds a built-in role (the lists below) or a custom
 * role (`role = 'custom'`, its permissions read with the account on every request).
 */

export const operatorRoles = ['super_admin', 'operations', 'product_reviewer', 'customer_service', 'risk_officer', 'finance'] as const;
export type OperatorRole = (typeof operatorRoles)[number];

export const institutionRoles = ['admin', 'product_manager', 'lead_handler', 'finance'] as const;
export type InstitutionRole = (typeof institutionRoles)[number];

/** A channel partner's staff (渠道方): the admin may dispute statement lines; the analyst reads. */
export const channelRoles = ['channel_admin', 'channel_analyst'] as const;
export type ChannelRole = (typeof channelRoles)[number];

export const roleLabels: Record<OperatorRole | InstitutionRole | ChannelRole | 'consumer' | 'api', string> = {
  super_admin: '超级管理员',
  operations: '运营',
  product_reviewer: '产品审核',
  customer_service: '客服',
  risk_officer: '风控',
  finance: '财务',
  admin: '机构管理员',
  product_manager: '产品经理',
  lead_handler: '线索专员',
  channel_admin: '渠道管理员',
  channel_analyst: '渠道数据员',
  consumer: '用户',
  api: 'API',
};

/** The role of a staff member who holds a custom role; its permissions come with the account. */
export const CUSTOM_ROLE = 'custom';

/**
 * Whose permissions are asked about: a built-in role by name, or a staff member (an account or a
 * member row), whose custom role, when they hold one, comes with its permissions.
 */
export type RoleHolder = string | { role: string; customRole?: { permissions: readonly string[] } | null };

/** Whether the holder has `permission` in `table`: a custom role's list, or the built-in role's place in the table. */
function holds(table: Record<string, readonly string[]>, holder: RoleHolder, permission: string): boolean {
  if (typeof holder !== 'string' && holder.role === CUSTOM_ROLE) return permission in table && (holder.customRole?.permissions ?? []).includes(permission);
  const role = typeof holder === 'string' ? holder : holder.role;
  return (table[permission] ?? []).includes(role);
}

const ALL_OPERATORS = operatorRoles;

/** Operator permissions → the roles that hold them. */
export const operatorPermissions = {
  'dashboard.view': ALL_OPERATORS,
  'applications.view': ['super_admin', 'operations', 'customer_service', 'risk_officer'],
  'institutions.review': ['super_admin', 'operations'],
  'agreements.manage': ['super_admin', 'finance'],
  'products.review': ['super_admin', 'product_reviewer'],
  'ranking.manage': ['super_admin', 'operations'],
  'promotions.review': ['super_admin', 'operations'],
  'content.manage': ['super_admin', 'operations'],
  'complaints.handle': ['super_admin', 'operations', 'customer_service'],
  'reviews.moderate': ['super_admin', 'operations', 'customer_service'],
  /** 意见反馈: triage, tag, assign, answer and close */
  'feedback.handle': ['super_admin', 'operations', 'customer_service'],
  /** staff performance: the operators' and any institution's staff, per person */
  'performance.view': ['super_admin', 'operations'],
  'users.view': ['super_admin', 'operations', 'customer_service', 'risk_officer'],
  'users.freeze': ['super_admin', 'customer_service', 'risk_officer'],
  'staff.manage': ['super_admin'],
  /** define custom roles from this catalogue (角色与权限) */
  'roles.manage': ['super_admin'],
  'settings.manage': ['super_admin', 'operations'],
  'risk.view': ['super_admin', 'risk_officer'],
  /** read statements, receivables and reconciliations */
  'settlement.view': ['super_admin', 'finance'],
  /** close a month, issue statements, record payments, settle disputes and differences */
  'settlement.manage': ['super_admin', 'finance'],
  'audit.view': ['super_admin', 'risk_officer'],
  'outbox.view': ['super_admin', 'operations', 'customer_service'],
  /** two-person rule: one asks, a different holder approves */
  'data.delete': ['super_admin'],
  'jobs.run': ['super_admin', 'operations'],
  'loans.view': ['super_admin', 'operations', 'risk_officer', 'finance'],
  /** the search dictionary and the search report */
  'search.manage': ['super_admin', 'operations'],
  /** channel partners (渠道): onboarding, tracking links and landing pages, the postback log */
  'channels.manage': ['super_admin', 'operations'],
  /** correct an institution's names and public information, with a reason */
  'institutions.edit': ['super_admin', 'operations'],
  /** correct a user's name or a consumer's mobile number, with a reason */
  'users.edit': ['super_admin', 'customer_service'],
  /** 客服: work the desk's queue in the skill groups one belongs to */
  'desk.work': ['super_admin', 'customer_service'],
  /** 客服主管: skill groups and their members, the roster, canned replies, desk reports */
  'desk.manage': ['super_admin', 'operations'],
} as const satisfies Record<string, readonly OperatorRole[]>;
export type OperatorPermission = keyof typeof operatorPermissions;

/** Institution-staff permissions → the roles that hold them. */
export const institutionPermissions = {
  'portal.view': institutionRoles,
  'leads.work': ['admin', 'lead_handler'],
  'products.manage': ['admin', 'product_manager'],
  'promotions.request': ['admin', 'product_manager'],
  'statistics.view': ['admin', 'product_manager', 'finance'],
  /** read statements and reconciliation results */
  'settlement.view': ['admin', 'finance'],
  /** dispute statement lines, pay statements, upload reconciliation files */
  'settlement.manage': ['admin', 'finance'],
  'staff.manage': ['admin'],
  'integration.manage': ['admin'],
  'prescreen.manage': ['admin', 'product_manager'],
  'complaints.respond': ['admin', 'lead_handler'],
  'profile.manage': ['admin'],
  'loans.manage': ['admin', 'lead_handler', 'finance'],
  /** confirm or return another staff member's approval above the institution's threshold (复核); never an API key */
  'leads.confirm': ['admin'],
  /** the maker-checker threshold (复核金额) */
  'workflow.manage': ['admin'],
} as const satisfies Record<string, readonly InstitutionRole[]>;
export type InstitutionPermission = keyof typeof institutionPermissions;

/** Channel-staff permissions → the roles that hold them. Channels see counts, never a borrower's personal data. */
export const channelPermissions = {
  /** the portal: links, the funnel by day and sub-ID, the postback log, statements */
  'portal.view': channelRoles,
  /** dispute a statement line */
  'statements.manage': ['channel_admin'],
} as const satisfies Record<string, readonly ChannelRole[]>;
export type ChannelPermission = keyof typeof channelPermissions;

export function channelCan(role: string, permission: ChannelPermission): boolean {
  return holds(channelPermissions, role, permission);
}

/** What an institution's API key may do: the machine-to-machine part of the partner API. */
export const apiKeyPermissions: readonly InstitutionPermission[] = ['portal.view', 'leads.work', 'settlement.view', 'settlement.manage', 'statistics.view', 'loans.manage'];

export function operatorCan(holder: RoleHolder, permission: OperatorPermission): boolean {
  return holds(operatorPermissions, holder, permission);
}

export function institutionCan(holder: RoleHolder, permission: InstitutionPermission): boolean {
  if ((typeof holder === 'string' ? holder : holder.role) === 'api') return apiKeyPermissions.includes(permission);
  return holds(institutionPermissions, holder, permission);
}

/** The permission table of a kind of staff: the catalogue its roles are made from. */
export function permissionTable(kind: 'operator' | 'institution' | 'channel'): Record<string, readonly string[]> {
  return kind === 'operator' ? operatorPermissions : kind === 'channel' ? channelPermissions : institutionPermissions;
}

/** Every permission a role (or a staff member's custom role) holds, for layouts that show only what the person may use. */
export function permissionsOf(kind: 'operator' | 'institution' | 'channel', holder: RoleHolder): Record<string, true> {
  const table = permissionTable(kind);
  const held: Record<string, true> = {};
  for (const permission of Object.keys(table)) if (holds(table, holder, permission)) held[permission] = true;
  if (kind === 'institution' && (typeof holder === 'string' ? holder : holder.role) === 'api') for (const p of apiKeyPermissions) held[p] = true;
  return held;
}
