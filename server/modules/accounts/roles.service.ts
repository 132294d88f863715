import type { Clock } from '../../lib/clock';
import type { Database } from '../../db/client';
import { sqlState, UNIQUE_VIOLATION } from '../../db/client';
import { ConflictError, NotFoundError, ValidationError } from '../../lib/errors';
import { newId } from '../../lib/ids';
import { withTransaction, type Tx } from '../../lib/tx';
import type { AuditActor, AuditService } from '../audit';
import { AccountsRepository, heldCustomRole, type CustomRoleRow, type StaffScope } from './accounts.repository';
import { permissionCatalogue, permissionLabel, type CatalogueArea } from './permission-catalogue';
import { CUSTOM_ROLE, permissionsOf, roleLabels, type RoleHolder } from './permissions';
import { assertGranterHolds, assertStillManaged, builtInRoles, checkedPermissions, heldPermissions, type Holding } from './role-rules';
import type { StaffService } from './staff.service';

/** A role as the editor shows it: built-in (read-only, from the code) or custom (editable). */
export interface RoleView {
  /** the built-in role's name, or the custom role's id */
  id: string;
  name: string;
  builtIn: boolean;
  permissions: string[];
  /** staff members of the scope holding it (any status) */
  holders: number;
  createdAt: Date | null;
  updatedAt: Date | null;
}

/** Who holds one permission: the active staff members whose role grants it. */
export interface PermissionHolders {
  area: string;
  key: string;
  label: string;
  holders: { id: string; displayName: string; roleName: string }[];
}

export interface RoleInput {
  name: string;
  permissions: readonly string[];
}

export interface RolesServiceDeps {
  clock: Clock;
  db: Database;
  audit: AuditService;
  staff: StaffService;
}

const NAME_MAX = 20;

/**
 * Custom roles (角色与权限管理): operators define roles for operators, an institution's admins
 * for their own institution, from the permission catalogue (the code's tables). Built-in roles
 * stay as they are. Every change is audited with before and after, refused when it would grant
 * what the editor does not hold (403) or leave nobody able to manage people and roles (409).
 */
export class RolesService {
  private readonly accounts: AccountsRepository;

  constructor(private readonly deps: RolesServiceDeps) {
    this.accounts = new AccountsRepository(deps.db);
  }

  catalogue(scope: StaffScope): CatalogueArea[] {
    return permissionCatalogue(scope.kind);
  }

  /** Every role of the scope, built-in first, with its permissions and how many hold it. */
  async roles(scope: StaffScope): Promise<RoleView[]> {
    const [custom, members] = await Promise.all([this.accounts.customRolesIn(scope), this.deps.staff.members(scope)]);
    const count = (id: string) => members.filter((m) => (m.customRole?.id ?? m.role) === id).length;
    return [
      ...builtInRoles(scope.kind).map((role) => ({
        id: role,
        name: roleLabels[role as keyof typeof roleLabels] ?? role,
        builtIn: true,
        permissions: heldPermissions(scope.kind, role),
        holders: count(role),
        createdAt: null,
        updatedAt: null,
      })),
      ...custom.map((r) => this.view(scope, r, count(r.id))),
    ];
  }

  /** One custom role of the scope (404 for another institution's or the other kind's). */
  async get(scope: StaffScope, id: string): Promise<RoleView> {
    const row = await this.found(scope, id);
    const members = await this.deps.staff.members(scope);
    return this.view(scope, row, members.filter((m) => m.customRole?.id === id).length);
  }

  /** Who holds what: for every permission of the catalogue, the active members whose role grants it. */
  async holders(scope: StaffScope): Promise<PermissionHolders[]> {
    const members = (await this.deps.staff.members(scope)).filter((m) => m.status === 'active');
    return this.catalogue(scope).flatMap((area) =>
      area.permissions.map((p) => ({
        area: area.label,
        key: p.key,
        label: p.label,
        holders: members.filter((m) => permissionsOf(scope.kind, m)[p.key]).map((m) => ({ id: m.id, displayName: m.displayName, roleName: m.roleName })),
      })),
    );
  }

  async create(scope: StaffScope, input: RoleInput, actor: AuditActor, granter: RoleHolder): Promise<RoleView> {
    const name = this.checkedName(input.name);
    const permissions = checkedPermissions(scope.kind, input.permissions);
    assertGranterHolds(scope.kind, granter, permissions);
    const now = this.deps.clock.now();
    const row = await this.writing(name, (tx) =>
      this.accounts.insertCustomRole(tx, {
        id: newId('role'),
        kind: scope.kind,
        institutionId: scope.kind === 'institution' ? scope.institutionId! : null,
        name,
        permissions: this.inCatalogueOrder(scope, permissions),
        createdBy: actor.id ?? null,
        createdAt: now,
        updatedAt: now,
      }),
      async (tx, created) => {
        await this.deps.audit.record(actor, { action: 'role.created', objectType: 'role', objectId: created.id, detail: { after: this.auditShape(scope, created.name, created.permissions), institutionId: created.institutionId } }, tx);
      },
    );
    return this.view(scope, row, 0);
  }

  /**
   * Renames a custom role or changes its permissions; its holders have the new permissions on
   * their next request. Adding a permission the editor does not hold: 403; leaving nobody with a
   * managing permission: 409.
   */
  async update(scope: StaffScope, id: string, input: RoleInput, actor: AuditActor, granter: RoleHolder): Promise<RoleView> {
    const name = this.checkedName(input.name);
    const permissions = this.inCatalogueOrder(scope, checkedPermissions(scope.kind, input.permissions));
    let holders = 0;
    await this.writing(
      name,
      async (tx) => {
        await this.accounts.lockStaffScope(tx, scope);
        const before = await this.accounts.customRoleIn(scope, id, tx);
        if (!before) throw new NotFoundError('角色');
        assertGranterHolds(scope.kind, granter, permissions.filter((p) => !before.permissions.includes(p)));
        const members: Holding[] = (await this.accounts.members(scope, tx)).map((m) => ({ id: m.id, role: m.role, status: m.status, customRole: heldCustomRole(m) }));
        const after = members.map((m) => (m.customRole?.id === id ? { ...m, customRole: { id, name, permissions } } : m));
        assertStillManaged(scope.kind, members, after);
        holders = members.filter((m) => m.customRole?.id === id).length;
        await this.accounts.updateCustomRole(tx, id, { name, permissions, updatedAt: this.deps.clock.now() });
        return before;
      },
      async (tx, before) => {
        await this.deps.audit.record(
          actor,
          { action: 'role.updated', objectType: 'role', objectId: id, detail: { before: this.auditShape(scope, before.name, before.permissions), after: this.auditShape(scope, name, permissions) } },
          tx,
        );
      },
    );
    return this.get(scope, id).then((view) => ({ ...view, holders }));
  }

  /** Deletes a custom role nobody holds (409 while someone does, frozen staff too). */
  async remove(scope: StaffScope, id: string, actor: AuditActor): Promise<void> {
    await withTransaction(this.deps.db, async (tx) => {
      await this.accounts.lockStaffScope(tx, scope);
      const role = await this.accounts.customRoleIn(scope, id, tx);
      if (!role) throw new NotFoundError('角色');
      const held = (await this.accounts.members(scope, tx)).filter((m) => m.customRoleId === id).length;
      if (held) throw new ConflictError('role_in_use', `仍有 ${held} 名成员持有该角色，请先为他们更换角色`);
      await this.accounts.deleteCustomRole(tx, id);
      await this.deps.audit.record(actor, { action: 'role.deleted', objectType: 'role', objectId: id, detail: { before: this.auditShape(scope, role.name, role.permissions) } }, tx);
    });
  }

  // ── helpers ────────────────────────────────────────────────────────────────────────────
  private async found(scope: StaffScope, id: string): Promise<CustomRoleRow> {
    const row = await this.accounts.customRoleIn(scope, id);
    if (!row) throw new NotFoundError('角色');
    return row;
  }

  private view(scope: StaffScope, row: CustomRoleRow, holders: number): RoleView {
    return {
      id: row.id,
      name: row.name,
      builtIn: false,
      // a permission the code no longer has is not shown (nor granted: permissions.ts ignores it)
      permissions: heldPermissions(scope.kind, { role: CUSTOM_ROLE, customRole: row }),
      holders,
      createdAt: row.createdAt,
      updatedAt: row.updatedAt,
    };
  }

  private inCatalogueOrder(scope: StaffScope, permissions: readonly string[]): string[] {
    return heldPermissions(scope.kind, { role: CUSTOM_ROLE, customRole: { permissions } });
  }

  /** A role's name: 1–20 characters, not a built-in role's name. */
  private checkedName(raw: string): string {
    const name = raw.trim();
    if (!name || name.length > NAME_MAX) throw new ValidationError('角色名称有误', { name: `请填写 1–${NAME_MAX} 字的角色名称` });
    if (Object.values(roleLabels).includes(name)) throw new ConflictError('role_name_taken', '与内置角色重名', { name: '与内置角色重名，请换一个名称' });
    return name;
  }

  /** Runs a write and its audit record in one transaction; a name already used in the scope is a 409. */
  private async writing<T>(name: string, write: (tx: Tx) => Promise<T>, audit: (tx: Tx, result: T) => Promise<void>): Promise<T> {
    try {
      return await withTransaction(this.deps.db, async (tx) => {
        const result = await write(tx);
        await audit(tx, result);
        return result;
      });
    } catch (err) {
      if (sqlState(err) === UNIQUE_VIOLATION) throw new ConflictError('role_name_taken', `已有名为“${name}”的角色`, { name: '已有同名角色' });
      throw err;
    }
  }

  /** A role as the audit log keeps it: name and permissions with their labels. */
  private auditShape(scope: StaffScope, name: string, permissions: readonly string[]) {
    return { name, permissions: permissions.map((p) => `${p}（${permissionLabel(scope.kind, p)}）`) };
  }
}
