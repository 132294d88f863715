import { formFailure } from '../../server/http/form-failure';
import type { Request, Response, Router } from 'express';
import type { Services } from '../../server/container';
import { ConflictError } from '../../server/lib/errors';
import { auditActor } from '../../server/http/audit-actor';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { confirmed } from '../../server/http/confirm';
import { roleLabels } from '../../server/modules/accounts';

const kinds = { consumer: '用户', institution: '机构员工', operator: '运营人员' } as const;
type Kind = keyof typeof kinds;

/** `/admin/users`: find any account (consumers by exact mobile number), view it masked, freeze or unfreeze with a reason. */
export function userRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const viewer = kit.guards.operator('page', 'users.view');
  const freezer = kit.guards.operator('page', 'users.freeze');
  const eraser = kit.guards.operator('page', 'data.delete');

  r.get('/users', viewer, async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 64) : '';
    const kind = typeof req.query.kind === 'string' && req.query.kind in kinds ? (req.query.kind as Kind) : undefined;
    const rows = await services.staff.searchAsOperator(auditActor(req), q, kind);
    await render(req, res, 'users', {
      title: '用户与员工',
      q,
      kinds: Object.entries(kinds).map(([value, label]) => ({ value, label, selected: value === kind })),
      rows: rows.map((u) => ({ ...u, kindLabel: kinds[u.kind as Kind], roleLabel: roleLabels[u.role as keyof typeof roleLabels] ?? u.role })),
    });
  });

  const show = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const user = await services.staff.viewAsOperator(auditActor(req), String(req.params.id));
    const history = (await services.audit.forObject('account', user.id)).filter((a) => a.action === 'account.frozen' || a.action === 'account.unfrozen');
    await render(req, res, 'user', {
      title: user.displayName,
      user: { ...user, kindLabel: kinds[user.kind as Kind], roleLabel: roleLabels[user.role as keyof typeof roleLabels] ?? user.role },
      history,
      institution: user.institutionId ? await services.institutions.get(user.institutionId) : undefined,
      erasures: (await services.dataRights.erasureRequests(500)).filter((e) => e.accountId === user.id),
      ...extra,
    });
  };
  r.get('/users/:id', viewer, (req, res) => show(req, res));
  for (const action of ['freeze', 'unfreeze'] as const) {
    r.post(`/users/:id/${action}`, freezer, async (req, res) => {
      try {
        if (String(req.params.id) === req.account!.id) throw new ConflictError('own_account', '不能冻结自己的账号');
        await services.staff.setFrozen(String(req.params.id), action === 'freeze', String(req.body.reason ?? ''), auditActor(req));
      } catch (err) {
        const error = formFailure(res, err);
        return show(req, res, { error });
      }
      req.session.flash = { kind: 'success', message: action === 'freeze' ? '账号已冻结，所有登录已失效' : '账号已解冻' };
      res.redirect(303, `/admin/users/${String(req.params.id)}`);
    });
  }

  // ── erasure of a consumer's personal data: one operator asks, another approves ──────────────
  r.post('/users/:id/erasure', eraser, async (req, res) => {
    try {
      await services.dataRights.requestErasure(String(req.params.id), String(req.body.reason ?? ''), auditActor(req));
    } catch (err) {
      const error = formFailure(res, err);
      return show(req, res, { error });
    }
    req.session.flash = { kind: 'success', message: '删除申请已提交，需另一名有权限的人员在「删除审批」中批准' };
    res.redirect(303, `/admin/users/${String(req.params.id)}`);
  });

  const showErasures = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const rows = await services.dataRights.erasureRequests();
    await render(req, res, 'erasures', {
      title: '删除审批',
      rows: rows.map((r) => ({ ...r, mine: r.requestedBy === req.account!.id, pending: r.status === 'pending' })),
      ...extra,
    });
  };
  r.get('/erasures', eraser, (req, res) => showErasures(req, res));
  for (const decision of ['approve', 'reject'] as const) {
    r.post(`/erasures/:id/${decision}`, eraser, async (req, res) => {
      try {
        if (decision === 'approve') {
          confirmed(req.body);
          await services.dataRights.approveErasure(String(req.params.id), auditActor(req));
        }
        else await services.dataRights.rejectErasure(String(req.params.id), String(req.body.note ?? ''), auditActor(req));
      } catch (err) {
        const error = formFailure(res, err);
        return showErasures(req, res, { error, confirmError: { [String(req.params.id)]: error.fields?.confirm } });
      }
      req.session.flash = { kind: 'success', message: decision === 'approve' ? '已批准并删除该用户的个人信息' : '已驳回' };
      res.redirect(303, '/admin/erasures');
    });
  }
}
