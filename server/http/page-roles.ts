import type { RoleInput, RoleView } from '../modules/accounts';
import { auditActor } from './audit-actor';
import { formFailure } from './form-failure';
import type { GuardSpec } from './guards';
import { page, type PageContext, type PageRoute } from './page-route';

type RolesGuard = Extract<GuardSpec, { kind: 'institution' | 'operator' }>;
type Ctx = PageContext<RolesGuard, string, undefined>;

/** A role typed into the editor and refused: shown again in its column (`new` for the new-role column). */
interface Draft {
  id: string;
  name: string;
  permissions: string[];
}

/** The role's name and ticked permissions from a form (one checkbox sends a string, several an array). */
export function roleInputFrom(body: Record<string, unknown>): RoleInput {
  const raw = body.permissions;
  const permissions = Array.isArray(raw) ? raw.map(String) : raw === undefined ? [] : [String(raw)];
  return { name: String(body.name ?? ''), permissions };
}

/**
 * `/roles` of a staff surface (角色与权限): the permission matrix with every role of the scope as
 * a column (built-in read-only, custom editable: one form per column, its checkboxes tied to it by
 * the `form` attribute, so it works without script), and `/roles/holders`, who holds what.
 * Operators with roles.manage edit the operators' roles; institution admins their institution's.
 */
export function rolePages(surface: { prefix: string; guard: RolesGuard }): PageRoute[] {
  const { prefix, guard } = surface;
  const kind = guard.kind;
  const scopeOf = ({ principal }: Ctx) => ({ kind, institutionId: principal.kind === 'institution' ? principal.institutionId : null });

  const show = async (ctx: Ctx, extra: { error?: unknown; draft?: Draft } = {}) => {
    const scope = scopeOf(ctx);
    const roles = await ctx.services.roles.roles(scope);
    const draft = extra.draft;
    const column = (r: RoleView) => (draft && draft.id === r.id ? { ...r, name: draft.name, permissions: draft.permissions } : r);
    const columns = roles.map(column);
    const fresh = draft?.id === 'new' ? draft : { id: 'new', name: '', permissions: [] };
    const areas = ctx.services.roles.catalogue(scope).map((area) => ({
      ...area,
      rows: area.permissions.map((p) => ({
        ...p,
        cells: columns.map((r) => ({ roleId: r.id, roleName: r.name, builtIn: r.builtIn, held: r.permissions.includes(p.key) })),
        inNew: fresh.permissions.includes(p.key),
      })),
    }));
    await ctx.render('roles', {
      title: '角色与权限',
      prefix,
      roles: columns,
      areas,
      span: columns.length + 2,
      fresh,
      customCount: roles.filter((r) => !r.builtIn).length,
      error: extra.error,
    });
  };

  /** A change from the editor: done, back to the matrix saying so; refused, the matrix with the reason and what was typed. */
  const change = (work: (ctx: Ctx & { params: { id?: string } }, input: RoleInput) => Promise<unknown>, done: string, draftId: (ctx: Ctx & { params: { id?: string } }) => string) =>
    async (ctx: Ctx & { params: { id?: string } }) => {
      const input = roleInputFrom(ctx.req.body ?? {});
      try {
        await work(ctx, input);
      } catch (err) {
        return show(ctx, { error: formFailure(ctx.res, err), draft: { id: draftId(ctx), name: input.name, permissions: [...input.permissions] } });
      }
      ctx.req.session.flash = { kind: 'success', message: done };
      ctx.res.redirect(303, `${prefix}/roles`);
    };

  return [
    page({ method: 'get', path: '/roles', guard, handler: (ctx) => show(ctx) }),
    page({
      method: 'get',
      path: '/roles/holders',
      guard,
      handler: async (ctx) => {
        const holders = await ctx.services.roles.holders(scopeOf(ctx));
        await ctx.render('role-holders', { title: '谁拥有哪些权限', prefix, holders });
      },
    }),
    page({
      method: 'post',
      path: '/roles',
      guard,
      handler: change((ctx, input) => ctx.services.roles.create(scopeOf(ctx), input, auditActor(ctx.req), ctx.principal.account), '角色已创建', () => 'new'),
    }),
    page({
      method: 'post',
      path: '/roles/:id',
      guard,
      handler: change(
        (ctx, input) => ctx.services.roles.update(scopeOf(ctx), ctx.params.id!, input, auditActor(ctx.req), ctx.principal.account),
        '角色已保存，持有人下一次操作起按新权限生效',
        (ctx) => ctx.params.id!,
      ),
    }),
    page({
      method: 'post',
      path: '/roles/:id/delete',
      guard,
      handler: async (ctx) => {
        try {
          await ctx.services.roles.remove(scopeOf(ctx), ctx.params.id, auditActor(ctx.req));
        } catch (err) {
          return show(ctx, { error: formFailure(ctx.res, err) });
        }
        ctx.req.session.flash = { kind: 'success', message: '角色已删除' };
        ctx.res.redirect(303, `${prefix}/roles`);
      },
    }),
  ];
}
