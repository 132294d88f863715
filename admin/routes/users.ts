import { formFailure } from '../../server/http/form-failure';
import { ConflictError } from '../../server/lib/errors';
import { auditActor } from '../../server/http/audit-actor';
import { guard, page } from '../../server/http/page-route';
import { confirmed } from '../../server/http/confirm';
import type { PageTools } from './application-page';

const kinds = { consumer: '用户', institution: '机构员工', operator: '运营人员' } as const;
type Kind = keyof typeof kinds;

async function show({ req, services, render }: PageTools, id: string, extra: Record<string, unknown> = {}) {
  const user = await services.staff.viewAsOperator(auditActor(req), id);
  const history = (await services.audit.forObject('account', user.id)).filter((a) => a.action === 'account.frozen' || a.action === 'account.unfrozen');
  await render('user', {
    title: user.displayName,
    user: { ...user, kindLabel: kinds[user.kind as Kind], roleLabel: user.roleName },
    history,
    institution: user.institutionId ? await services.institutions.get(user.institutionId) : undefined,
    erasures: (await services.dataRights.erasureRequests(500)).filter((e) => e.accountId === user.id),
    ...extra,
  });
}

async function showErasures({ services, render }: PageTools, operatorId: string, extra: Record<string, unknown> = {}) {
  const rows = await services.dataRights.erasureRequests();
  await render('erasures', {
    title: '删除审批',
    rows: rows.map((r) => ({ ...r, mine: r.requestedBy === operatorId, pending: r.status === 'pending' })),
    ...extra,
  });
}

/** `/admin/users`: find any account (consumers by exact mobile number), view it masked, freeze or unfreeze with a reason. */
export const userPages = [
  page({
    method: 'get',
    path: '/users',
    guard: guard.operator('users.view'),
    handler: async ({ req, services, render }) => {
      const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 64) : '';
      const kind = typeof req.query.kind === 'string' && req.query.kind in kinds ? (req.query.kind as Kind) : undefined;
      const rows = await services.staff.searchAsOperator(auditActor(req), q, kind);
      await render('users', {
        title: '用户与员工',
        q,
        kinds: Object.entries(kinds).map(([value, label]) => ({ value, label, selected: value === kind })),
        rows: rows.map((u) => ({ ...u, kindLabel: kinds[u.kind as Kind], roleLabel: u.roleName })),
      });
    },
  }),
  page({ method: 'get', path: '/users/:id', guard: guard.operator('users.view'), handler: (ctx) => show(ctx, ctx.params.id) }),
  ...(['freeze', 'unfreeze'] as const).map((action) =>
    page({
      method: 'post',
      path: `/users/:id/${action}`,
      guard: guard.operator('users.freeze'),
      handler: async (ctx) => {
        const { params, principal, req, res, services } = ctx;
        try {
          if (params.id === principal.account.id) throw new ConflictError('own_account', '不能冻结自己的账号');
          await services.staff.setFrozen(params.id, action === 'freeze', String(req.body.reason ?? ''), auditActor(req));
        } catch (err) {
          const error = formFailure(res, err);
          return show(ctx, params.id, { error });
        }
        req.session.flash = { kind: 'success', message: action === 'freeze' ? '账号已冻结，所有登录已失效' : '账号已解冻' };
        res.redirect(303, `/admin/users/${params.id}`);
      },
    }),
  ),

  page({
    method: 'post',
    path: '/users/:id/details',
    guard: guard.operator('users.edit'),
    handler: async (ctx) => {
      const { params, req, res, services } = ctx;
      const details = { displayName: String(req.body.displayName ?? ''), phone: String(req.body.phone ?? ''), reason: String(req.body.reason ?? '') };
      try {
        // a blank field keeps its value: the form never shows the personal data it would change
        await services.staff.editDetails(params.id, { displayName: details.displayName.trim() || undefined, phone: details.phone.trim() || undefined }, details.reason, auditActor(req));
      } catch (err) {
        const detailsError = formFailure(res, err);
        return show(ctx, params.id, { detailsError, details });
      }
      req.session.flash = { kind: 'success', message: '用户信息已更新，已记入审计日志' };
      res.redirect(303, `/admin/users/${params.id}`);
    },
  }),

  // ── erasure of a consumer's personal data: one operator asks, another approves ──────────────
  page({
    method: 'post',
    path: '/users/:id/erasure',
    guard: guard.operator('data.delete'),
    handler: async (ctx) => {
      const { params, req, res, services } = ctx;
      try {
        await services.dataRights.requestErasure(params.id, String(req.body.reason ?? ''), auditActor(req));
      } catch (err) {
        const error = formFailure(res, err);
        return show(ctx, params.id, { error });
      }
      req.session.flash = { kind: 'success', message: '删除申请已提交，需另一名有权限的人员在「删除审批」中批准' };
      res.redirect(303, `/admin/users/${params.id}`);
    },
  }),
  page({ method: 'get', path: '/erasures', guard: guard.operator('data.delete'), handler: (ctx) => showErasures(ctx, ctx.principal.account.id) }),
  ...(['approve', 'reject'] as const).map((decision) =>
    page({
      method: 'post',
      path: `/erasures/:id/${decision}`,
      guard: guard.operator('data.delete'),
      handler: async (ctx) => {
        const { params, principal, req, res, services } = ctx;
        try {
          if (decision === 'approve') {
            confirmed(req.body);
            await services.dataRights.approveErasure(params.id, auditActor(req));
          }
          else await services.dataRights.rejectErasure(params.id, String(req.body.note ?? ''), auditActor(req));
        } catch (err) {
          const error = formFailure(res, err);
          return showErasures(ctx, principal.account.id, { error, confirmError: { [params.id]: error.fields?.confirm } });
        }
        req.session.flash = { kind: 'success', message: decision === 'approve' ? '已批准并删除该用户的个人信息' : '已驳回' };
        res.redirect(303, '/admin/erasures');
      },
    }),
  ),
];
