import { z } from 'zod';
import { auditActor } from '../../server/http/audit-actor';
import { deskAssignBody, deskComplaintBody, deskMessageBody, deskReplyBody, deskReportQuery, deskTransferBody, reportRange } from '../../server/http/api/shared/desk.schemas';
import { serveConversationStream, serveQueueStream } from '../../server/http/desk-stream';
import { formFailure } from '../../server/http/form-failure';
import type { OperatorPrincipal } from '../../server/http/guards';
import { guard, page } from '../../server/http/page-route';
import { parse } from '../../server/http/validate';
import { ValidationError } from '../../server/lib/errors';
import { formatMeasuredHours } from '../../server/lib/duration';
import { shanghaiDate, shanghaiDayStart } from '../../server/lib/shanghai-date';
import { complaintCategories, complaintCategoryLabels } from '../../server/modules/feedback';
import { cannedVariables, parseMinute, type DeskAgent, type DeskMessageView } from '../../server/modules/desk';
import type { PageTools } from './application-page';

const work = guard.operator('desk.work');
const manage = guard.operator('desk.manage');

type AgentPage = PageTools & { principal: OperatorPrincipal };
const agentOf = ({ principal, req }: AgentPage): DeskAgent => ({ id: principal.account.id, actor: auditActor(req) });
const categories = complaintCategories.map((value) => ({ value, label: complaintCategoryLabels[value] }));
const blank = (v: unknown) => (typeof v === 'string' && v.trim() ? v.trim() : undefined);

async function showConversation(ctx: AgentPage, id: string, extra: { revealed?: DeskMessageView[]; error?: unknown; values?: unknown } = {}) {
  const { services, render } = ctx;
  const conversation = await services.desk.getForAgent(agentOf(ctx), id);
  const [canned, groups, agents] = await Promise.all([services.desk.cannedReplies(conversation.groupId), services.desk.groupsWithMembers(), services.desk.agents()]);
  const audience = conversation.partyKind === 'institution' ? 'institution' : 'borrower';
  await render('desk-conversation', {
    title: `会话 ${conversation.number}`,
    conversation,
    messages: extra.revealed ?? conversation.messages,
    revealed: !!extra.revealed,
    stream: `/admin/desk/conversations/${id}/events`,
    refresh: `/admin/desk/conversations/${id}`,
    canned,
    colleagues: groups.find((g) => g.id === conversation.groupId)?.members.filter((m) => m.id !== ctx.principal.account.id) ?? [],
    transferGroups: groups.filter((g) => g.audience === audience),
    agents,
    categories,
    scripts: extra.revealed ? [] : ['/assets/desk.js'],
    error: extra.error,
    values: extra.values,
  });
}

/** An agent's action on a conversation; a refusal shows the conversation again with the reason. */
const act = (path: string, work: (ctx: AgentPage & { params: { id: string } }, agent: DeskAgent) => Promise<unknown>, done: string) =>
  page({
    method: 'post',
    path: `/desk/conversations/:id/${path}`,
    guard: guard.operator('desk.work'),
    handler: async (ctx) => {
      const { params, req, res } = ctx;
      try {
        await work(ctx, agentOf(ctx));
        req.session.flash = { kind: 'success', message: done };
        res.redirect(303, `/admin/desk/conversations/${params.id}`);
      } catch (err) {
        const error = formFailure(res, err);
        await showConversation(ctx, params.id, { error, values: req.body });
      }
    },
  });

const shiftForm = z.object({
  groupId: z.string().min(1, '请选择技能组'),
  agentId: z.string().min(1, '请选择客服'),
  date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, '请选择日期'),
  startsAt: z.string(),
  endsAt: z.string(),
});

/** A shift typed as a Shanghai day and two times; an end at or before the start is the next day (a night shift). */
function shiftTimes(input: z.output<typeof shiftForm>): { startsAt: Date; endsAt: Date } {
  const start = parseMinute(input.startsAt);
  const end = parseMinute(input.endsAt);
  if (start === null) throw new ValidationError('班次时间有误', { startsAt: '时间格式为 09:00' });
  if (end === null) throw new ValidationError('班次时间有误', { endsAt: '时间格式为 18:00' });
  const day = shanghaiDayStart(input.date).getTime();
  const startsAt = new Date(day + start * 60_000);
  const endsAt = new Date(day + (end > start ? end : end + 1440) * 60_000);
  return { startsAt, endsAt };
}

async function showSettings({ services, render }: PageTools, extra: Record<string, unknown> = {}) {
  const now = new Date();
  const [groups, agents, roster, canned] = await Promise.all([
    services.desk.groupsWithMembers(),
    services.desk.agents(),
    services.desk.roster(new Date(now.getTime() - 86_400_000), new Date(now.getTime() + 8 * 86_400_000)),
    services.desk.cannedReplies(),
  ]);
  await render('desk-settings', {
    title: '客服设置',
    groups: groups.map((g) => ({ ...g, memberIds: g.members.map((m) => m.id) })),
    agents,
    roster,
    canned,
    variables: Object.entries(cannedVariables).map(([name, meaning]) => ({ name: `{{${name}}}`, meaning })),
    today: shanghaiDate(now),
    ...extra,
  });
}

/** A supervisor's change on the settings page; a refusal shows the page again with the reason. */
const manageAct = (path: string, run: (ctx: PageTools & { params: Record<string, string> }) => Promise<unknown>, done: string) =>
  page({
    method: 'post',
    path,
    guard: manage,
    handler: async (ctx) => {
      const { req, res } = ctx;
      try {
        await run(ctx as PageTools & { params: Record<string, string> });
        req.session.flash = { kind: 'success', message: done };
        res.redirect(303, '/admin/desk/settings');
      } catch (err) {
        await showSettings(ctx, { error: formFailure(res, err), values: req.body });
      }
    },
  });

const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === 'string' && v ? [v] : []);

/** 客服工作台 (`/admin/desk`): the queue, each conversation, and the supervisors' settings and reports. */
export const deskAdminPages = [
  page({
    method: 'get',
    path: '/desk',
    guard: work,
    handler: async ({ principal, services, render }) => {
      const queue = await services.desk.queue(principal.account.id);
      await render('desk-queue', {
        title: '客服工作台',
        ...queue,
        groupIds: queue.groups.map((g) => g.id).join(','),
        waitingCount: queue.conversations.filter((c) => c.status === 'waiting').length,
        scripts: ['/assets/desk.js'],
      });
    },
  }),
  page({
    method: 'get',
    path: '/desk/settings',
    guard: manage,
    handler: (ctx) => showSettings(ctx),
  }),
  page({
    method: 'get',
    path: '/desk/reports',
    guard: manage,
    handler: async ({ req, services, render }) => {
      const q = parse(deskReportQuery, { from: blank(req.query.from), to: blank(req.query.to) }, '日期范围有误');
      const range = reportRange(q, new Date());
      const report = await services.desk.report(range.from, range.to);
      const shown = (rows: typeof report.agents) =>
        rows.map((r) => ({
          ...r,
          firstResponseText: r.firstResponseSeconds === null ? '—' : r.firstResponseSeconds < 60 ? `${Math.round(r.firstResponseSeconds)} 秒` : formatMeasuredHours(r.firstResponseSeconds / 3600),
          handlingText: r.handlingSeconds === null ? '—' : r.handlingSeconds < 60 ? `${Math.round(r.handlingSeconds)} 秒` : formatMeasuredHours(r.handlingSeconds / 3600),
          ratingText: r.averageRating === null ? '—' : `${r.averageRating.toFixed(2)} 分（${r.ratings} 条）`,
        }));
      await render('desk-reports', { title: '客服报表', agents: shown(report.agents), groups: shown(report.groups), range });
    },
  }),
  manageAct(
    '/desk/groups/:id',
    async ({ req, params, services }) => {
      const opens = parseMinute(String(req.body.opensAt ?? ''));
      const closes = parseMinute(String(req.body.closesAt ?? ''));
      if (opens === null) throw new ValidationError('服务时间有误', { opensAt: '时间格式为 09:00' });
      if (closes === null) throw new ValidationError('服务时间有误', { closesAt: '时间格式为 21:00' });
      await services.desk.setGroup(auditActor(req), params.id!, { agentIds: list(req.body.agentIds), opensAtMinute: opens, closesAtMinute: closes });
    },
    '技能组已保存',
  ),
  manageAct(
    '/desk/shifts',
    async ({ req, services }) => {
      const input = parse(shiftForm, req.body, '请检查班次');
      await services.desk.addShift(auditActor(req), { groupId: input.groupId, agentId: input.agentId, ...shiftTimes(input) });
    },
    '班次已添加',
  ),
  manageAct('/desk/shifts/:id/delete', ({ req, params, services }) => services.desk.removeShift(auditActor(req), params.id!), '班次已删除'),
  manageAct(
    '/desk/canned',
    ({ req, services }) => services.desk.saveCanned(auditActor(req), { title: String(req.body.title ?? ''), body: String(req.body.body ?? ''), groupId: blank(req.body.groupId) ?? null }),
    '快捷回复已保存',
  ),
  manageAct('/desk/canned/:id/delete', ({ req, params, services }) => services.desk.retireCanned(auditActor(req), params.id!), '快捷回复已停用'),
  page({
    method: 'get',
    path: '/desk/groups/:id/events',
    guard: work,
    handler: async ({ params, principal, services, req, res }) => {
      await services.desk.assertMember(principal.account.id, params.id);
      await serveQueueStream(req, res, services, params.id);
    },
  }),
  page({ method: 'get', path: '/desk/conversations/:id', guard: work, handler: (ctx) => showConversation(ctx, ctx.params.id) }),
  page({
    method: 'get',
    path: '/desk/conversations/:id/events',
    guard: work,
    handler: async ({ params, principal, services, req, res }) => {
      const agentId = principal.account.id;
      await services.desk.agentMessagesAfter(agentId, params.id, Number.MAX_SAFE_INTEGER);
      await serveConversationStream(
        req,
        res,
        services,
        params.id,
        (after) => services.desk.agentMessagesAfter(agentId, params.id, after),
        async () => (await services.desk.getForAgent({ id: agentId, actor: auditActor(req) }, params.id)).status,
      );
    },
  }),
  page({
    method: 'post',
    path: '/desk/conversations/:id/reveal',
    guard: work,
    handler: async (ctx) => showConversation(ctx, ctx.params.id, { revealed: await ctx.services.desk.revealForAgent(agentOf(ctx), ctx.params.id) }),
  }),
  act('take', ({ params, services }, agent) => services.desk.take(agent, params.id), '已接入'),
  act('assign', ({ params, req, services }, agent) => services.desk.assign(agent, params.id, parse(deskAssignBody, { agentId: req.body.agentId }, '请选择客服').agentId), '已转给同组客服'),
  act(
    'transfer',
    ({ params, req, services }, agent) => services.desk.transfer(agent, params.id, parse(deskTransferBody, { groupId: req.body.groupId, agentId: blank(req.body.agentId) }, '请选择技能组')),
    '已转接',
  ),
  act(
    'reply',
    ({ params, req, services }, agent) => services.desk.reply(agent, params.id, parse(deskReplyBody, { body: blank(req.body.body), cannedId: blank(req.body.cannedId) }, '请填写回复')),
    '已回复',
  ),
  act('notes', ({ params, req, services }, agent) => services.desk.note(agent, params.id, parse(deskMessageBody, { body: String(req.body.body ?? '') }, '请填写备注').body), '备注已保存'),
  act(
    'complaint',
    ({ params, req, services }, agent) => services.desk.toComplaint(agent, params.id, parse(deskComplaintBody, { category: req.body.category, subject: String(req.body.subject ?? '') }, '请检查投诉信息')),
    '已转为投诉，投诉时限已开始计算',
  ),
  act('close', ({ params, services }, agent) => services.desk.close(agent, params.id), '会话已结束'),
];
