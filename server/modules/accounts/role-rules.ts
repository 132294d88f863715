import { ConflictError, ForbiddenError, ValidationError } from '../../lib/errors';
import { inCatalogue, otherKindOnly, permissionLabel, type RoleKind } from './permission-catalogue';
import { CUSTOM_ROLE, institutionRoles, operatorRoles, permissionsOf, roleLabels, type RoleHolder } from './permissions';

/**
 * The rules every change to who holds what obeys, whether it edits a custom role or assigns a
 * role to someone: no escalation (a granter grants only what they hold), no lock-out (the scope
 * keeps an active holder of its managing permissions).
 */

/** A staff member as these rules see them: their role (and custom role) and whether they are active. */
export interface Holding {
  id: string;
  role: string;
  status: string;
  customRole: { id: string; name: string; permissions: readonly string[] } | null;
}

export const builtInRoles = (kind: RoleKind): readonly string[] => (kind === 'operator' ? operatorRoles : institutionRoles);

/** The permissions without which nobody could manage people or roles any more. */
export const managingPermissions = (kind: RoleKind): readonly string[] => (kind === 'operator' ? ['staff.manage', 'roles.manage'] : ['staff.manage']);

/** The permissions a role holder has, as a list in catalogue order. */
export const heldPermissions = (kind: RoleKind, holder: RoleHolder): string[] => Object.keys(permissionsOf(kind, holder));

/** A role's name as people read it: the built-in role's label or the custom role's name. */
export function roleName(holding: Pick<Holding, 'role' | 'customRole'>): string {
  if (holding.role === CUSTOM_ROLE) return holding.customRole?.name ?? '自定义角色';
  return roleLabels[holding.role as keyof typeof roleLabels] ?? holding.role;
}

/**
 * Checks a list of permission names for a role of `kind` (unknown: 400; the other kind's: 403,
 * an institution cannot grant an operator's permission) and returns it without repeats.
 */
export function checkedPermissions(kind: RoleKind, permissions: readonly string[]): string[] {
  const unique = [...new Set(permissions)];
  const foreign = unique.filter((p) => otherKindOnly(kind, p));
  if (foreign.length) throw new ForbiddenError(`不能授予${kind === 'institution' ? '平台运营' : '机构'}的权限：${foreign.join('、')}`, 'permission_not_held', { permissions: '只能从本方的权限目录中选择' });
  const unknown = unique.filter((p) => !inCatalogue(kind, p));
  if (unknown.length) throw new ValidationError('权限无效', { permissions: `没有这些权限：${unknown.join('、')}` });
  if (!unique.length) throw new ValidationError('请至少选择一项权限', { permissions: '请至少选择一项权限' });
  return unique;
}

/** Refuses (403) to grant a permission the granter does not hold themselves. */
export function assertGranterHolds(kind: RoleKind, granter: RoleHolder, granted: readonly string[]): void {
  const held = permissionsOf(kind, granter);
  const missing = granted.filter((p) => !held[p]);
  if (missing.length) {
    throw new ForbiddenError(`不能授予自己没有的权限：${missing.map((p) => permissionLabel(kind, p)).join('、')}`, 'permission_not_held', { permissions: '只能授予自己拥有的权限' });
  }
}

/**
 * Refuses (409) a change after which no active staff member of the scope would hold one of its
 * managing permissions that someone held before: the last holder cannot lose it.
 */
export function assertStillManaged(kind: RoleKind, before: readonly Holding[], after: readonly Holding[]): void {
  for (const permission of managingPermissions(kind)) {
    const holders = (list: readonly Holding[]) => list.filter((m) => m.status === 'active' && permissionsOf(kind, m)[permission]).length;
    if (holders(before) > 0 && holders(after) === 0) {
      const message = `至少需要保留一名拥有“${permissionLabel(kind, permission)}”权限的有效成员`;
      throw new ConflictError('last_manager', message, { role: message });
    }
  }
}
