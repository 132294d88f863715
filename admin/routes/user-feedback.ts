import { auditActor } from '../../server/http/audit-actor';
import { feedbackAnswerBody, feedbackAssignBody, feedbackQuery, feedbackTagsBody } from '../../server/http/api/schemas';
import { formFailure } from '../../server/http/form-failure';
import type { OperatorPrincipal } from '../../server/http/guards';
import { guard, page } from '../../server/http/page-route';
import { parse } from '../../server/http/validate';
import { feedbackCategories, feedbackCategoryLabels, feedbackStatuses, feedbackStatusLabels } from '../../server/modules/feedback';
import type { PageTools } from './application-page';

const handle = guard.operator('feedback.handle');

async function showItem({ req, services, render }: PageTools, id: string, extra: Record<string, unknown> = {}) {
  const item = await services.feedback.getForOperator(id, auditActor(req));
  await render('user-feedback', { title: '意见反馈', item, tagText: item.tags.join(' '), handlers: await services.feedback.handlers(), ...extra });
}

type ItemContext = PageTools & { params: { id: string }; principal: OperatorPrincipal };

/** An operator's change to one item; bad input or a closed item shows the item again with the reason. */
const act = (action: string, work: (ctx: ItemContext) => Promise<void>, done: string) =>
  page({
    method: 'post',
    path: `/feedback/:id/${action}`,
    guard: handle,
    handler: async (ctx) => {
      const { params, req, res } = ctx;
      try {
        await work(ctx);
        req.session.flash = { kind: 'success', message: done };
        res.redirect(303, `/admin/feedback/${params.id}`);
      } catch (err) {
        const error = formFailure(res, err);
        await showItem(ctx, params.id, { error, values: req.body });
      }
    },
  });

const formBody = (body: unknown) => {
  const { _csrf: _ignored, ...fields } = (body ?? {}) as Record<string, unknown>;
  return fields;
};

/** `/admin/feedback`: borrowers' 意见反馈, triaged (filters by status, category, tag), tagged, assigned, answered and closed. */
export const userFeedbackPages = [
  page({
    method: 'get',
    path: '/feedback',
    guard: handle,
    handler: async ({ req, res, principal, services, render }) => {
      const raw = Object.fromEntries(Object.entries(req.query).filter(([, v]) => v !== ''));
      const options = {
        statuses: feedbackStatuses.map((value) => ({ value, label: feedbackStatusLabels[value] })),
        categories: feedbackCategories.map((value) => ({ value, label: feedbackCategoryLabels[value] })),
      };
      try {
        const q = parse(feedbackQuery, raw, '筛选条件有误');
        const items = await services.feedback.queue({ status: q.status, category: q.category, tag: q.tag?.toLowerCase(), assigneeId: q.mine ? principal.account.id : undefined });
        await render('user-feedback-list', { title: '意见反馈', items, q, ...options });
      } catch (err) {
        const error = formFailure(res, err);
        await render('user-feedback-list', { title: '意见反馈', items: [], q: raw, error, ...options });
      }
    },
  }),
  page({ method: 'get', path: '/feedback/:id', guard: handle, handler: (ctx) => showItem(ctx, ctx.params.id) }),
  page({
    method: 'get',
    path: '/feedback/:id/screenshot',
    guard: handle,
    handler: async ({ req, res, params, services }) => {
      const shot = await services.feedback.screenshotForOperator(params.id, auditActor(req));
      res.type(shot.mime).set('Content-Disposition', 'inline').set('Cache-Control', 'private, no-store').send(shot.bytes);
    },
  }),
  act(
    'tags',
    async ({ params, req, services }) => {
      const { tags } = parse(feedbackTagsBody, formBody(req.body), '标签有误');
      await services.feedback.tag(params.id, typeof tags === 'string' ? [tags] : tags, auditActor(req));
    },
    '标签已保存',
  ),
  act(
    'assign',
    async ({ params, principal, req, services }) => {
      const { assigneeId } = parse(feedbackAssignBody, formBody(req.body), '指派有误');
      await services.feedback.assign(params.id, assigneeId === 'me' ? principal.account.id : assigneeId, auditActor(req));
    },
    '已指派',
  ),
  act(
    'answer',
    async ({ params, req, services }) => {
      const { answer } = parse(feedbackAnswerBody, formBody(req.body), '答复有误');
      await services.feedback.answer(params.id, answer, auditActor(req));
    },
    '已答复，用户会收到通知',
  ),
  act('close', ({ params, req, services }) => services.feedback.close(params.id, auditActor(req)), '已关闭'),
];
