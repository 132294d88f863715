import type { Request } from 'express';
import { z } from 'zod';
import { isIsoDate, shanghaiDayEnd, shanghaiDayStart } from '../lib/shanghai-date';
import type { AuditFilter, AuditViewRow } from '../modules/audit';

export const auditActorKinds = ['operator', 'institution', 'channel', 'consumer', 'system', 'anonymous'] as const;
export const auditActorKindLabels: Record<(typeof auditActorKinds)[number], string> = { operator: '运营', institution: '机构', channel: '渠道', consumer: '用户', system: '系统', anonymous: '匿名' };

const text = (label: string, max = 120) => z.string().trim().max(max, `${label}过长`).optional();
const day = (label: string) => z.string().trim().refine(isIsoDate, `${label}须为有效日期（YYYY-MM-DD）`).optional();

/** The audit-log viewer's query (page and API): every filter optional; dates are Asia/Shanghai days, both inclusive. */
export const auditQuery = z
  .strictObject({
    actorKind: z.enum(auditActorKinds, { error: '操作者类型无效' }).optional(),
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
export type AuditQuery = z.infer<typeof auditQuery>;

/** Query parameters with the empty ones dropped (an unfilled form field means "any"); a repeated one keeps its first value. */
export function filledQuery(query: Request['query']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(query)) {
    const value = Array.isArray(v) ? v[0] : v;
    if (typeof value === 'string' && value.trim() !== '') out[k] = value;
  }
  return out;
}

export function toAuditFilter(q: AuditQuery): AuditFilter {
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

/** The filter as recorded in the `audit.viewed` / `audit.exported` rows. */
export const auditFilterDetail = (q: AuditQuery) => Object.fromEntries(Object.entries({ ...q, before: undefined }).filter(([, v]) => v !== undefined));

export const auditRowJson = (row: AuditViewRow) => ({
  id: row.id,
  createdAt: row.createdAt.toISOString(),
  actor: { kind: row.actorKind, id: row.actorId, name: row.actorName },
  action: row.action,
  object: { type: row.objectType, id: row.objectId },
  ip: row.ip,
  requestId: row.requestId,
  detail: row.detail,
});
