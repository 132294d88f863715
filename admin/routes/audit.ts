import type { Request, Response, Router } from 'express';
import { stringify } from 'csv-stringify';
import { z } from 'zod';
import type { Services } from '../../server/container';
import { ValidationError } from '../../server/lib/errors';
import { isIsoDate, shanghaiDayEnd, shanghaiDayStart } from '../../server/lib/shanghai-date';
import { auditActor } from '../../server/http/audit-actor';
import type { HttpKit } from '../../server/http/kit';
import type { Render } from '../../server/http/render';
import { parse } from '../../server/http/validate';
import type { AuditFilter } from '../../server/modules/audit';

const actorKinds = ['operator', 'institution', 'consumer', 'system', 'anonymous'] as const;
const actorKindLabels: Record<(typeof actorKinds)[number], string> = { operator: '运营', institution: '机构', consumer: '用户', system: '系统', anonymous: '匿名' };

const text = (label: string, max = 120) => z.string().trim().max(max, `${label}过长`).optional();
const day = (label: string) => z.string().trim().refine(isIsoDate, `${label}须为有效日期（YYYY-MM-DD）`).optional();

/** The viewer's query string: every filter optional; dates are Asia/Shanghai calendar days, both inclusive. */
const auditQuery = z
  .strictObject({
    actorKind: z.enum(actorKinds, { error: '操作者类型无效' }).optional(),
    actorId: text('操作者编号'),
    action: text('操作'),
    objectType: text('对象类型'),
    objectId: text('对象编号'),
    from: day('开始日期'),
    to: day('结束日期'),
    ip: text('IP 地址', 64),
    before: z.coerce.number({ error: '页码无效' }).int('页码无效').positive('页码无效').optional(),
  })
  .refine((q) => !q.from || !q.to || !isIsoDate(q.from) || !isIsoDate(q.to) || q.from <= q.to, { message: '结束日期不能早于开始日期', path: ['to'] });
type AuditQuery = z.infer<typeof auditQuery>;

/** Query parameters with the empty ones dropped (an unfilled form field means "any"); a repeated one keeps its first value. */
function filled(query: Request['query']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value === 'string' && value.trim() !== '') out[k] = value;
  }
  return out;
}

function toFilter(q: AuditQuery): AuditFilter {
  return {
    actorKind: q.actorKind,
    actorId: q.actorId,
    action: q.action,
    objectType: q.objectType,
    objectId: q.objectId,
    from: q.from ? shanghaiDayStart(q.from) : undefined,
    to: q.to ? shanghaiDayEnd(q.to) : undefined,
    ip: q.ip,
  };
}

const filterDetail = (q: AuditQuery) => Object.fromEntries(Object.entries({ ...q, before: undefined }).filter(([, v]) => v !== undefined));

/** `/admin/audit`: the append-only audit log, filtered, keyset-paged, exported as CSV; looking is itself audited. */
export function auditRoutes(r: Router, services: Services, kit: HttpKit, render: Render): void {
  const view = kit.guards.operator('page', 'audit.view');

  r.get('/audit', view, async (req: Request, res: Response) => {
    const raw = filled(req.query);
    let q: AuditQuery;
    try {
      q = parse(auditQuery, raw, '筛选条件有误');
    } catch (err) {
      if (!(err instanceof ValidationError)) throw err;
      res.status(400);
      return render(req, res, 'audit', { title: '审计日志', error: { message: err.message, fields: err.fields }, q: raw, rows: [], actorKinds: actorKinds.map((value) => ({ value, label: actorKindLabels[value] })) });
    }
    const page = await services.audit.search(toFilter(q), { before: q.before, limit: 50 });
    await services.audit.record(auditActor(req), { action: 'audit.viewed', objectType: 'audit_log', objectId: null, detail: { filter: filterDetail(q), before: q.before ?? null, rows: page.rows.length } });
    const params = new URLSearchParams(Object.entries(raw).filter(([k]) => k !== 'before'));
    const next = page.nextBefore ? new URLSearchParams([...params, ['before', String(page.nextBefore)]]) : undefined;
    await render(req, res, 'audit', {
      title: '审计日志',
      q: raw,
      rows: page.rows.map((row) => ({ ...row, actorKindLabel: actorKindLabels[row.actorKind as keyof typeof actorKindLabels] ?? row.actorKind, detailJson: JSON.stringify(row.detail) })),
      actorKinds: actorKinds.map((value) => ({ value, label: actorKindLabels[value] })),
      nextHref: next ? `/admin/audit?${next.toString()}` : undefined,
      firstHref: q.before ? `/admin/audit?${params.toString()}` : undefined,
      exportHref: `/admin/audit/export.csv?${params.toString()}`,
    });
  });

  r.get('/audit/export.csv', view, async (req, res) => {
    const raw = filled(req.query);
    delete raw.before;
    const q = parse(auditQuery, raw, '筛选条件有误');
    await services.audit.record(auditActor(req), { action: 'audit.exported', objectType: 'audit_log', objectId: null, detail: { filter: filterDetail(q) } });
    res.type('text/csv; charset=utf-8').set('Content-Disposition', 'attachment; filename="audit-log.csv"').set('Cache-Control', 'private, no-store');
    // UTF-8 with BOM, so Excel reads Chinese
    res.write('\uFEFF');
    const csv = stringify({
      header: true,
      columns: ['编号', '时间(UTC)', '操作者类型', '操作者编号', '操作者姓名', '操作', '对象类型', '对象编号', 'IP', '请求编号', '详情'],
    });
    csv.pipe(res);
    for await (const row of services.audit.each(toFilter(q))) {
      const line = [row.id, row.createdAt.toISOString(), row.actorKind, row.actorId ?? '', row.actorName ?? '', row.action, row.objectType, row.objectId ?? '', row.ip ?? '', row.requestId ?? '', JSON.stringify(row.detail)];
      if (!csv.write(line)) await new Promise((resolve) => csv.once('drain', resolve));
    }
    csv.end();
  });
}
