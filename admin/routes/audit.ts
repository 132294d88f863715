import { auditActor } from '../../server/http/audit-actor';
import { streamCsv } from '../../server/http/csv';
import { auditActorKindLabels, auditActorKinds, auditFilterDetail, auditQuery, filledQuery, toAuditFilter, type AuditQuery } from '../../server/http/audit-query';
import { guard, page } from '../../server/http/page-route';
import { parse } from '../../server/http/validate';
import { auditActionLabel, auditActionLabels, auditObjectLabel, auditObjectLabels } from '../../server/modules/audit';
import { formFailure } from '../../server/http/form-failure';

const actorKinds = auditActorKinds.map((value) => ({ value, label: auditActorKindLabels[value] }));
const byLabel = (a: { label: string }, b: { label: string }) => a.label.localeCompare(b.label, 'zh-CN');
const actions = Object.entries(auditActionLabels).map(([value, label]) => ({ value, label })).sort(byLabel);
const objectTypes = Object.entries(auditObjectLabels).map(([value, label]) => ({ value, label })).sort(byLabel);

/** The filter's choices in words; a value typed into the URL that is not one of them (an action prefix such as `content.`) stays selected as it is. */
function choices(raw: Record<string, string>) {
  const keep = (list: { value: string; label: string }[], value: string | undefined) =>
    value && !list.some((o) => o.value === value) ? [{ value, label: `以「${value}」开头` }, ...list] : list;
  return { actions: keep(actions, raw.action), objectTypes: keep(objectTypes, raw.objectType) };
}

/** `/admin/audit`: the append-only audit log, filtered, keyset-paged, exported as CSV; looking is itself audited. */
export const auditPages = [
  page({
    method: 'get',
    path: '/audit',
    guard: guard.operator('audit.view'),
    handler: async ({ req, res, services, render }) => {
      const raw = filledQuery(req.query);
      let q: AuditQuery;
      try {
        q = parse(auditQuery, raw, '筛选条件有误');
      } catch (err) {
        const error = formFailure(res, err);
        return render('audit', { title: '审计日志', error, q: raw, rows: [], actorKinds, ...choices(raw) });
      }
      const paged = await services.audit.viewAsOperator(auditActor(req), toAuditFilter(q), { before: q.before, limit: 50 }, { filter: auditFilterDetail(q) });
      const params = new URLSearchParams(Object.entries(raw).filter(([k]) => k !== 'before'));
      const next = paged.nextBefore ? new URLSearchParams([...params, ['before', String(paged.nextBefore)]]) : undefined;
      await render('audit', {
        title: '审计日志',
        q: raw,
        rows: paged.rows.map((row) => ({
          ...row,
          actorKindLabel: auditActorKindLabels[row.actorKind as keyof typeof auditActorKindLabels] ?? row.actorKind,
          actionLabel: auditActionLabel(row.action),
          objectLabel: auditObjectLabel(row.objectType),
          detailJson: JSON.stringify(row.detail),
        })),
        actorKinds,
        ...choices(raw),
        nextHref: next ? `/admin/audit?${next.toString()}` : undefined,
        firstHref: q.before ? `/admin/audit?${params.toString()}` : undefined,
        exportHref: `/admin/audit/export.csv?${params.toString()}`,
      });
    },
  }),
  page({
    method: 'get',
    path: '/audit/export.csv',
    guard: guard.operator('audit.view'),
    handler: async ({ req, res, services }) => {
      const raw = filledQuery(req.query);
      delete raw.before;
      const q = parse(auditQuery, raw, '筛选条件有误');
      const rows = await services.audit.exportAsOperator(auditActor(req), toAuditFilter(q), { filter: auditFilterDetail(q) });
      const csv = streamCsv(res, 'audit-log.csv', ['编号', '时间(UTC)', '操作者类型', '操作者编号', '操作者姓名', '操作', '对象类型', '对象编号', 'IP', '请求编号', '详情']);
      for await (const row of rows) {
        const line = [row.id, row.createdAt.toISOString(), row.actorKind, row.actorId ?? '', row.actorName ?? '', row.action, row.objectType, row.objectId ?? '', row.ip ?? '', row.requestId ?? '', JSON.stringify(row.detail)];
        if (!csv.write(line)) await new Promise((resolve) => csv.once('drain', resolve));
      }
      csv.end();
    },
  }),
];
