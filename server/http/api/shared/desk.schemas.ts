import { z } from 'zod';
import { isIsoDate, shanghaiDate, shanghaiDayEnd, shanghaiDayStart } from '../../../lib/shanghai-date';
import { complaintCategories } from '../../../modules/feedback';
import type { AgentConversationView, DeskConversationView, DeskMessageView, DeskReport } from '../../../modules/desk';
import { idParam } from '../route-table';

/** The desk's inputs and answers, for the pages and the three APIs. */

export const deskOpenBody = z.strictObject({
  groupId: idParam.describe('a skill group of your audience: GET …/desk/groups'),
  body: z.string().max(2000, '最多 2000 字'),
});
export const deskMessageBody = z.strictObject({ body: z.string().max(2000, '最多 2000 字') });
export const deskRatingBody = z.strictObject({
  rating: z.number({ error: '请选择 1–5 分' }).int('请选择 1–5 分').min(1, '请选择 1–5 分').max(5, '请选择 1–5 分'),
  comment: z.string().max(500, '最多 500 字').optional(),
});
export const deskReplyBody = z
  .strictObject({
    body: z.string().max(2000, '最多 2000 字').optional(),
    cannedId: idParam.optional().describe('a canned reply: its variables ({{称呼}}, {{坐席}}, {{会话编号}}) are filled in when sent'),
  })
  .refine((b) => !!b.body !== !!b.cannedId, { message: '请填写回复内容或选择一条快捷回复（二选一）', path: ['body'] });
export const deskAssignBody = z.strictObject({ agentId: idParam });
export const deskTransferBody = z.strictObject({ groupId: idParam, agentId: idParam.optional() });
export const deskComplaintBody = z.strictObject({
  category: z.enum(complaintCategories, { error: '请选择投诉类型' }),
  subject: z.string().min(1, '请填写投诉主题').max(100, '最多 100 字'),
});

const day = z.string().refine(isIsoDate, '日期须为 YYYY-MM-DD');
/** A date range in Shanghai days; both ends included; the last 7 days when left out. */
export const deskReportQuery = z.strictObject({ from: day.optional(), to: day.optional() });
export function reportRange(q: { from?: string; to?: string }, now: Date): { from: Date; to: Date; fromDay: string; toDay: string } {
  const toDay = q.to ?? shanghaiDate(now);
  const fromDay = q.from ?? shanghaiDate(new Date(shanghaiDayStart(toDay).getTime() - 6 * 86_400_000));
  return { from: shanghaiDayStart(fromDay), to: shanghaiDayEnd(toDay), fromDay, toDay };
}

const instant = z.string().describe('ISO 8601 instant');
const messageJson = z.object({ id: z.number().int(), kind: z.enum(['message', 'note', 'system']), author: z.string(), mine: z.boolean(), body: z.string(), at: instant });
const conversationFields = {
  id: z.string(),
  number: z.string().describe('会话编号, e.g. KF000123'),
  group: z.object({ id: z.string(), name: z.string() }),
  status: z.enum(['waiting', 'open', 'closed']),
  agentName: z.string().nullable(),
  waitingNotice: z.string().nullable().describe('outside the group’s hours: when someone will answer'),
  createdAt: instant,
  closedAt: instant.nullable(),
  rating: z.number().int().nullable(),
  ratingComment: z.string().nullable(),
  canRate: z.boolean(),
  complaintId: z.string().nullable(),
};
export const deskConversationResponse = z.object({ ...conversationFields, messages: z.array(messageJson).optional() });
export const deskAgentConversationResponse = z.object({
  ...conversationFields,
  party: z.object({
    kind: z.enum(['consumer', 'visitor', 'institution']),
    label: z.string(),
    contactMasked: z.string().nullable(),
    claimedAt: instant.nullable().describe('when the visitor who opened it signed in or registered (kind is then consumer: a known borrower)'),
  }),
  agentId: z.string().nullable(),
  mine: z.boolean(),
  messages: z.array(messageJson).optional().describe('phone and ID numbers masked'),
});
export const deskGroupsResponse = z.object({ items: z.array(z.object({ id: z.string(), name: z.string(), hours: z.string() })) });
export const deskSuggestionsResponse = z.object({ items: z.array(z.object({ slug: z.string(), title: z.string(), summary: z.string(), url: z.string() })) });
const reportRow = z.object({
  id: z.string().nullable(),
  name: z.string(),
  conversations: z.number().int(),
  firstResponseSeconds: z.number().nullable().describe('mean, over conversations answered'),
  handlingSeconds: z.number().nullable().describe('mean time from opening to closing, over conversations closed'),
  backlog: z.number().int().describe('waiting or open now'),
  ratings: z.number().int(),
  averageRating: z.number().nullable().describe('1–5'),
  complaints: z.number().int().describe('complaints created from conversations'),
});
export const deskReportResponse = z.object({ from: instant, to: instant, agents: z.array(reportRow), groups: z.array(reportRow) });

export const deskMessageJson = (m: DeskMessageView) => ({ id: m.id, kind: m.kind, author: m.authorLabel, mine: m.mine, body: m.body, at: m.createdAt.toISOString() });

export function deskConversationJson(c: DeskConversationView & { messages?: DeskMessageView[] }) {
  return {
    id: c.id,
    number: c.number,
    group: { id: c.groupId, name: c.groupName },
    status: c.status,
    agentName: c.agentName,
    waitingNotice: c.waitingNotice,
    createdAt: c.createdAt.toISOString(),
    closedAt: c.closedAt?.toISOString() ?? null,
    rating: c.rating,
    ratingComment: c.ratingComment,
    canRate: c.canRate,
    complaintId: c.complaintId,
    ...(c.messages ? { messages: c.messages.map(deskMessageJson) } : {}),
  };
}

export function deskAgentConversationJson(c: AgentConversationView & { messages?: DeskMessageView[] }) {
  return { ...deskConversationJson(c), party: { kind: c.partyKind, label: c.partyLabel, contactMasked: c.contactMasked, claimedAt: c.claimedAt?.toISOString() ?? null }, agentId: c.agentId, mine: c.mine };
}

const round = (n: number | null, digits: number) => (n === null ? null : Number(n.toFixed(digits)));
export function deskReportJson(r: DeskReport) {
  const row = (x: DeskReport['agents'][number]) => ({
    id: x.key,
    name: x.name,
    conversations: x.conversations,
    firstResponseSeconds: round(x.firstResponseSeconds, 0),
    handlingSeconds: round(x.handlingSeconds, 0),
    backlog: x.backlog,
    ratings: x.ratings,
    averageRating: round(x.averageRating, 2),
    complaints: x.complaints,
  });
  return { from: r.from.toISOString(), to: r.to.toISOString(), agents: r.agents.map(row), groups: r.groups.map(row) };
}
