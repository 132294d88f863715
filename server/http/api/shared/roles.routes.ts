import { z } from 'zod';
import type { RoleView, StaffKind } from '../../../modules/accounts';
import { auditActor } from '../../audit-actor';
import type { GuardSpec } from '../../guards';
import { guard, route, type ApiRoute } from '../route-table';

const instant = z.string().describe('ISO 8601 instant');
const roleJson = z.object({
  id: z.string().describe("a built-in role's name (admin, finance…) or a custom role's id (role_…)"),
  name: z.string(),
  builtIn: z.boolean().describe('built-in roles are read-only defaults'),
  permissions: z.array(z.string()),
  holders: z.number().int().describe('staff members holding it'),
  createdAt: instant.nullable(),
  updatedAt: instant.nullable(),
});
const roleResponse = z.object({ role: roleJson });
const catalogueJson = z.array(z.object({ area: z.string(), label: z.string(), permissions: z.array(z.object({ key: z.string(), label: z.string() })) }));
const rolesResponse = z.object({ catalogue: catalogueJson, roles: z.array(roleJson) });
const holdersResponse = z.object({
  items: z.array(z.object({ area: z.string(), key: z.string(), label: z.string(), holders: z.array(z.object({ id: z.string(), displayName: z.string(), roleName: z.string() })) })),
});
const roleBody = z.strictObject({
  name: z.string().max(100),
  permissions: z.array(z.string().max(100)).max(200).describe('permission names from the catalogue; at least one'),
});
const assignBody = z.strictObject({ role: z.string().max(100).describe("a built-in role's name or a custom role's id") });

const toJson = (r: RoleView) => ({ ...r, createdAt: r.createdAt?.toISOString() ?? null, updatedAt: r.updatedAt?.toISOString() ?? null });

const who: Record<StaffKind, string> = { operator: "Operators' roles", institution: "The institution's roles" };

/**
 * `/roles…` and `/staff/:id/role` of the admin and partner APIs: custom roles (角色与权限), as the
 * role editor pages do them. Operators need roles.manage (staff.manage to assign); institution
 * admins staff.manage. Another institution's role is a 404.
 */
export function roleRoutes(kind: StaffKind): ApiRoute[] {
  const edit: GuardSpec = kind === 'operator' ? guard.operator('roles.manage') : guard.institution('staff.manage');
  const assign: GuardSpec = kind === 'operator' ? guard.operator('staff.manage') : guard.institution('staff.manage');
  const scopeOf = (principal: { kind: string; institutionId?: string }) => ({ kind, institutionId: principal.kind === 'institution' ? principal.institutionId! : null });
  return [
    route({
      method: 'get',
      path: '/roles',
      guard: edit,
      summary: `${who[kind]}: the permission catalogue (grouped by area, with labels) and every role, built-in and custom`,
      response: rolesResponse,
      responseDescription: '{ catalogue, roles }',
      handler: async ({ principal, services }) => {
        const scope = scopeOf(principal);
        return { catalogue: services.roles.catalogue(scope), roles: (await services.roles.roles(scope)).map(toJson) };
      },
    }),
    route({
      method: 'get',
      path: '/roles/holders',
      guard: edit,
      summary: `${who[kind]}: who holds what (the active staff holding each permission)`,
      response: holdersResponse,
      responseDescription: '{ items }',
      handler: async ({ principal, services }) => ({ items: await services.roles.holders(scopeOf(principal)) }),
    }),
    route({
      method: 'post',
      path: '/roles',
      guard: edit,
      summary: `${who[kind]}: create a custom role (403 for a permission the caller does not hold, 409 for a name in use; audited)`,
      body: roleBody,
      bodyError: '角色信息有误',
      status: 201,
      errors: [409],
      response: roleResponse,
      responseDescription: '{ role }',
      handler: async ({ principal, services, body, req }) => ({ role: toJson(await services.roles.create(scopeOf(principal), body, auditActor(req), principal.account)) }),
    }),
    route({
      method: 'get',
      path: '/roles/:id',
      guard: edit,
      summary: `${who[kind]}: one custom role`,
      response: roleResponse,
      responseDescription: '{ role }',
      handler: async ({ principal, services, params }) => ({ role: toJson(await services.roles.get(scopeOf(principal), params.id)) }),
    }),
    route({
      method: 'put',
      path: '/roles/:id',
      guard: edit,
      summary: `${who[kind]}: rename a custom role or replace its permissions; holders have them on their next request (403 adding one the caller lacks, 409 when nobody would keep a managing permission; audited)`,
      body: roleBody,
      bodyError: '角色信息有误',
      errors: [409],
      response: roleResponse,
      responseDescription: '{ role }',
      handler: async ({ principal, services, params, body, req }) => ({ role: toJson(await services.roles.update(scopeOf(principal), params.id, body, auditActor(req), principal.account)) }),
    }),
    route({
      method: 'delete',
      path: '/roles/:id',
      guard: edit,
      summary: `${who[kind]}: delete a custom role nobody holds (409 while someone does; audited)`,
      status: 204,
      errors: [409],
      handler: async ({ principal, services, params, req }) => {
        await services.roles.remove(scopeOf(principal), params.id, auditActor(req));
      },
    }),
    route({
      method: 'put',
      path: '/staff/:id/role',
      guard: assign,
      summary: `${kind === 'operator' ? 'Operators' : 'Institution staff'}: give a colleague a built-in or custom role (403 for a role granting what the caller lacks, 409 for the own role or the last manager; their sessions end; audited)`,
      body: assignBody,
      bodyError: '角色无效',
      status: 204,
      errors: [409],
      handler: async ({ principal, services, params, body, req }) => {
        await services.staff.changeRole(scopeOf(principal), params.id, body.role, auditActor(req), principal.account);
      },
    }),
  ];
}
