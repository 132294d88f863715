import type { FeedbackView } from '../../../modules/feedback';
import { auditActor } from '../../audit-actor';
import { guard, route, type ApiRoute } from '../route-table';
import { itemsOf } from '../responses';
import { feedbackBody, feedbackResponse } from '../shared/feedback.schemas';

/** A feedback item as JSON (the view's dates become ISO strings on the way out). */
export const feedbackJson = (f: FeedbackView) => ({
  id: f.id,
  category: f.category,
  categoryLabel: f.categoryLabel,
  body: f.body,
  pagePath: f.pagePath,
  status: f.status,
  statusLabel: f.statusLabel,
  tags: f.tags,
  answer: f.answer,
  answeredAt: f.answeredAt,
  closedAt: f.closedAt,
  screenshot: f.screenshot,
  createdAt: f.createdAt,
  updatedAt: f.updatedAt,
});

/** `/api/v1/feedback`: the borrower's 意见反馈 — send one (with a screenshot), read their own and the answers. */
export const consumerFeedbackRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/feedback',
    guard: guard.consumer,
    summary: 'The borrower’s own feedback items, newest first, with the platform’s answers',
    responseDescription: '{ items }',
    response: itemsOf(feedbackResponse),
    handler: async ({ principal: { account }, services }) => ({ items: (await services.feedback.listForConsumer(account.id)).map(feedbackJson) }),
  }),
  route({
    method: 'post',
    path: '/feedback',
    guard: guard.consumer,
    summary:
      'Send feedback (multipart: category, body, optional pagePath, optional file = a JPG/PNG screenshot judged by content, ≤ 5 MB, stored encrypted). With a session cookie send X-Requested-With. At most 10 a day (429).',
    upload: true,
    body: feedbackBody,
    bodyError: '反馈内容有误',
    status: 201,
    errors: [413, 429],
    idempotency: 'optional',
    responseDescription: 'Feedback',
    response: feedbackResponse,
    handler: async ({ body, principal: { account }, services, req }) => feedbackJson(await services.feedback.submit(account.id, body, req.file?.buffer, auditActor(req))),
  }),
  route({
    method: 'get',
    path: '/feedback/:id',
    guard: guard.consumer,
    summary: 'One of the borrower’s feedback items (anyone else’s is 404)',
    responseDescription: 'Feedback',
    response: feedbackResponse,
    handler: async ({ params, principal: { account }, services }) => feedbackJson(await services.feedback.getForConsumer(account.id, params.id)),
  }),
  route({
    method: 'get',
    path: '/feedback/:id/screenshot',
    guard: guard.consumer,
    summary: 'The screenshot of one of the borrower’s feedback items (audited); 404 when there is none',
    produces: 'file',
    handler: async ({ params, principal: { account }, services, req, res }) => {
      const shot = await services.feedback.screenshotForConsumer(account.id, params.id, auditActor(req));
      res.type(shot.mime).set('Cache-Control', 'private, no-store').send(shot.bytes);
    },
  }),
];
