import type { OperatorFeedbackView } from '../../../modules/feedback';
import { auditActor } from '../../audit-actor';
import { feedbackJson } from '../consumer/feedback.routes';
import type { z } from 'zod';
import type { Services } from '../../../container';
import type { AuditActor } from '../../../modules/audit';
import { guard, noBody, route, type ApiRoute } from '../route-table';
import { itemsOf } from '../responses';
import { feedbackAnswerBody, feedbackAssignBody, feedbackQuery, feedbackTagsBody, operatorFeedbackResponse } from '../shared/feedback.schemas';

const handle = guard.operator('feedback.handle');

const operatorFeedbackJson = (f: OperatorFeedbackView) => ({
  ...feedbackJson(f),
  consumerId: f.consumerId,
  assignee: f.assigneeId ? { id: f.assigneeId, name: f.assigneeName } : null,
});

/** One change to an item (audited in the service); answers the item as it now stands. */
function change<B extends z.ZodType>(spec: {
  action: string;
  summary: string;
  body: B;
  bodyError: string;
  work: (id: string, body: z.output<B>, services: Services, actor: AuditActor) => Promise<void>;
}): ApiRoute {
  return route({
    method: 'post',
    path: `/feedback/:id/${spec.action}`,
    guard: handle,
    summary: spec.summary,
    body: spec.body,
    bodyError: spec.bodyError,
    errors: [409],
    responseDescription: 'Feedback',
    response: operatorFeedbackResponse,
    handler: async ({ params, body, services, req }) => {
      await spec.work(params.id, body as z.output<B>, services, auditActor(req));
      return operatorFeedbackJson(await services.feedback.afterChange(params.id));
    },
  });
}

/** `/api/admin/v1/feedback`: triage borrowers' 意见反馈 (permission feedback.handle). */
export const adminFeedbackRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/feedback',
    guard: handle,
    summary: 'Feedback items, newest first (at most 200), filtered by status, category, tag, or mine=1 (assigned to the caller)',
    query: feedbackQuery,
    queryError: '筛选条件有误',
    responseDescription: '{ items }',
    response: itemsOf(operatorFeedbackResponse),
    handler: async ({ query, principal, services }) => ({
      items: (await services.feedback.queue({ status: query.status, category: query.category, tag: query.tag?.toLowerCase(), assigneeId: query.mine ? principal.account.id : undefined })).map(
        operatorFeedbackJson,
      ),
    }),
  }),
  route({
    method: 'get',
    path: '/feedback/:id',
    guard: handle,
    summary: 'One feedback item (the reading is audited)',
    responseDescription: 'Feedback',
    response: operatorFeedbackResponse,
    handler: async ({ params, services, req }) => operatorFeedbackJson(await services.feedback.getForOperator(params.id, auditActor(req))),
  }),
  route({
    method: 'get',
    path: '/feedback/:id/screenshot',
    guard: handle,
    summary: 'The item’s screenshot (audited); 404 when there is none',
    produces: 'file',
    handler: async ({ params, services, req, res }) => {
      const shot = await services.feedback.screenshotForOperator(params.id, auditActor(req));
      res.type(shot.mime).set('Cache-Control', 'private, no-store').send(shot.bytes);
    },
  }),
  change({
    action: 'tags',
    summary: 'Replace the item’s tags (a list, or one string split at spaces and commas; at most 8, each ≤ 20 characters, stored lower-case); 409 feedback_closed once closed',
    body: feedbackTagsBody,
    bodyError: '标签有误',
    work: (id, body, services, actor) => services.feedback.tag(id, typeof body.tags === 'string' ? [body.tags] : body.tags, actor),
  }),
  change({
    action: 'assign',
    summary: 'Assign the item to an operator holding feedback.handle (an open item becomes in_progress); 409 once closed',
    body: feedbackAssignBody,
    bodyError: '指派有误',
    work: (id, body, services, actor) => services.feedback.assign(id, body.assigneeId, actor),
  }),
  change({
    action: 'answer',
    summary: 'Answer the borrower (status answered; they get an in-app notification; a later answer replaces the earlier); 409 once closed',
    body: feedbackAnswerBody,
    bodyError: '答复有误',
    work: (id, body, services, actor) => services.feedback.answer(id, body.answer, actor),
  }),
  change({
    action: 'close',
    summary: 'Close the item: nothing more changes on it (409 feedback_closed when already closed)',
    body: noBody,
    bodyError: '此接口不接受参数',
    work: (id, _body, services, actor) => services.feedback.close(id, actor),
  }),
];
