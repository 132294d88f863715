import type { Request, Response, Router } from 'express';
import type { Services } from '../../server/container';
import { ConflictError, ValidationError } from '../../server/lib/errors';
import { auditActor } from '../../server/http/audit-actor';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { roleLabels } from '../../server/modules/accounts/permissions';

const kinds = { consumer: '用户', institution: '机构员工', operator: '运营人员' } as const;
type Kind = keyof typeof kinds;

/** `/admin/users`: find any account (consumers by exact mobile number), view it masked, freeze or unfreeze with a reason. */
export function userRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const viewer = kit.guards.operator('page', 'users.view');
  const freezer = kit.guards.operator('page', 'users.freeze');

  r.get('/users', viewer, async (req, res) => {
    const q = typeof req.query.q === 'string' ? req.query.q.slice(0, 64) : '';
    const kind = typeof req.query.kind === 'string' && req.query.kind in kinds ? (req.query.kind as Kind) : undefined;
    const rows = await services.staff.search(q, kind);
    if (q) await services.audit.record(auditActor(req), { action: 'users.searched', objectType: 'account', objectId: null, detail: { kind: kind ?? null, results: rows.length } });
    await render(req, res, 'users', {
      title: '用户与员工',
      q,
      kinds: Object.entries(kinds).map(([value, label]) => ({ value, label, selected: value === kind })),
      rows: rows.map((u) => ({ ...u, kindLabel: kinds[u.kind as Kind], roleLabel: roleLabels[u.role as keyof typeof roleLabels] ?? u.role })),
    });
  });

  const show = async (req: Request, res: Response, extra: Record<string, unknown> = {}) => {
    const user = await services.staff.get(String(req.params.id));
    await services.audit.record(auditActor(req), { action: 'account.viewed', objectType: 'account', objectId: user.id });
    const history = (await services.audit.forObject('account', user.id)).filter((a) => a.action === 'account.frozen' || a.action === 'account.unfrozen');
    await render(req, res, 'user', {
      title: user.displayName,
      user: { ...user, kindLabel: kinds[user.kind as Kind], roleLabel: roleLabels[user.role as keyof typeof roleLabels] ?? user.role },
      history,
      institution: user.institutionId ? await services.institutions.get(user.institutionId) : undefined,
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
        if (!(err instanceof ValidationError) && !(err instanceof ConflictError)) throw err;
        res.status(err instanceof ValidationError ? 400 : 409);
        return show(req, res, { error: { message: err.message, fields: err.fields } });
      }
      req.session.flash = { kind: 'success', message: action === 'freeze' ? '账号已冻结，所有登录已失效' : '账号已解冻' };
      res.redirect(303, `/admin/users/${String(req.params.id)}`);
    });
  }
}
