import { z } from 'zod';
import { ConflictError, ValidationError } from '../../../lib/errors';
import { releasableFields } from '../../../modules/consents';
import { auditActor } from '../../audit-actor';
import { requestOrigin } from '../../request-origin';
import { guard, route, type ApiRoute } from '../route-table';
import { applicationBody, consentPreviewResponse, consentWithdrawnResponse, dataReleasesResponse, messageBody } from './applications.schemas';
import { applicationJson, messageJson, rejectionJson } from '../serializers';
import { explainRejection, type SubmissionResult } from '../../../modules/applications';
import { keptOutcomeOf } from '../../idempotency';
import { applicationListResponse, applicationResponse, applyResponse, documentResponse, messageListResponse, messageResponse } from '../responses';

/** The consent screen's query: comma-separated product ids (at most ten are read) and the purpose. */
const consentPreviewQuery = z.object({
  products: z.string().max(2000, '产品列表过长').optional(),
  purpose: z.string().max(20).optional(),
});

const documentUploadFields = z.strictObject({
  kind: z.string({ error: '请选择文件类型' }).max(40, '文件类型无效').default(''),
});

/** A submission's answer: the applications as the submission wrote them (nothing read back) and the products refused. */
function applyAnswer(result: SubmissionResult) {
  return { applications: result.applications.map(applicationJson), refused: result.refused };
}
type ApplyAnswer = ReturnType<typeof applyAnswer>;

/** `/api/v1`: applying (one or many products, one consent per institution), the applications, their documents and messages, consents. */
export const consumerApplicationRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/applications/consent-preview',
    guard: guard.public,
    summary: 'The consent screen for a set of products: each institution, the purpose, the exact fields',
    query: consentPreviewQuery,
    responseDescription: '{ consents }',
    response: consentPreviewResponse,
    handler: ({ query, services }) => {
      const ids = (query.products ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean)
        .slice(0, 10);
      return {
        consents: services.submission.consentRequests(ids, query.purpose).map((c) => ({
          ...c,
          fieldLabels: c.fields.map((f) => releasableFields[f]),
        })),
      };
    },
  }),
  route({
    method: 'post',
    path: '/applications',
    guard: guard.consumer,
    summary: 'Apply to one or many products (一键申请多家) with one consent per institution; refused items say why (no_consent, ineligible, duplicate, invalid)',
    body: applicationBody,
    bodyError: '申请信息有误',
    response: applyResponse,
    idempotency: 'required',
    status: 201,
    responseDescription: '{ applications, refused }',
    handler: async ({ body, principal: { account }, services, kit, req, res }) => {
      // the answer is kept under the Idempotency-Key in the submission's own transaction
      const outcome = keptOutcomeOf(res);
      let kept: ApplyAnswer | undefined;
      const result = await services.submission.apply(
        account,
        { items: body.products.map((p) => ({ productId: p.productId, amountFen: p.amount, termMonths: p.termMonths })), purpose: body.purpose, consents: body.consents },
        requestOrigin(kit, req, res, 'api'),
        outcome && ((batch, made) => outcome.keep(batch, 201, (kept = applyAnswer(made)))),
      );
      if (result.created.length === 0) {
        throw new ConflictError('nothing_submitted', '没有提交任何申请', Object.fromEntries(result.refused.map((r) => [r.productId, r.reasons.join('；')])));
      }
      return kept ?? applyAnswer(result);
    },
  }),
  route({
    method: 'get',
    path: '/data-releases',
    guard: guard.consumer,
    summary: '"Who has my data": every consent with every release under it',
    responseDescription: '{ items }',
    response: dataReleasesResponse,
    handler: async ({ principal: { account }, services }) => {
      const rows = await services.consents.forConsumer(account.id);
      return {
        items: rows.map((c) => ({
          consentId: c.id,
          institution: { id: c.institutionId, name: c.institutionName },
          applicationId: c.applicationId,
          purpose: c.purpose,
          fields: c.fields,
          grantedAt: c.grantedAt,
          withdrawnAt: c.withdrawnAt,
          releases: c.releases.map((r) => ({ fields: r.fields, channel: r.channel, at: r.releasedAt })),
        })),
      };
    },
  }),
  route({
    method: 'post',
    path: '/consents/:id/withdraw',
    guard: guard.consumer,
    summary: 'Withdraw a consent: the institution sees nothing more',
    responseDescription: '{ consentId, withdrawnAt }',
    response: consentWithdrawnResponse,
    handler: async ({ params, principal: { account }, services, req }) => {
      const row = await services.consents.withdraw(account.id, params.id, auditActor(req));
      return { consentId: row.id, withdrawnAt: row.withdrawnAt };
    },
  }),
  route({
    method: 'get',
    path: '/applications',
    guard: guard.consumer,
    summary: "The consumer's applications",
    response: applicationListResponse,
    responseDescription: '{ items }',
    handler: async ({ principal: { account }, services }) => ({ items: (await services.applications.listForConsumer(account.id)).map(applicationJson) }),
  }),
  route({
    method: 'post',
    path: '/applications/:id/documents',
    guard: guard.consumer,
    summary:
      'Upload a document (multipart: kind, file; JPG/PNG/PDF judged by content, ≤ 5 MB). With a session cookie send X-Requested-With. Past the per-application or per-account quota (files, bytes): 409 document_quota_exceeded.',
    upload: true,
    body: documentUploadFields,
    status: 201,
    errors: [409, 413],
    description: 'A rejected application takes no more documents: 409 application_rejected with the reason.',
    responseDescription: 'Document',
    response: documentResponse,
    handler: async ({ params, body, principal: { account }, services, req }) => {
      if (!req.file) throw new ValidationError('请选择文件', { file: '请上传 file 字段' });
      const doc = await services.documents.upload(account.id, params.id, body.kind, req.file.buffer, auditActor(req));
      return { id: doc.id, kind: doc.kind, mime: doc.mime, size: doc.size, sha256: doc.sha256, createdAt: doc.createdAt };
    },
  }),
  route({
    method: 'get',
    path: '/documents/:id',
    guard: guard.consumer,
    summary: 'One of the consumer’s documents (audited)',
    produces: 'file',
    handler: async ({ params, principal: { account }, services, req, res }) => {
      const { row, bytes } = await services.documents.openByConsumer(account.id, params.id, auditActor(req));
      res.type(row.mime).set('Cache-Control', 'private, no-store').send(bytes);
    },
  }),
  route({
    method: 'get',
    path: '/applications/:id/messages',
    guard: guard.consumer,
    summary: 'The thread with the institution',
    response: messageListResponse,
    responseDescription: '{ items }',
    handler: async ({ params, principal: { account }, services }) => {
      const app = await services.applications.getForConsumer(account.id, params.id);
      return { items: (await services.messages.thread(app.id)).map(messageJson) };
    },
  }),
  route({
    method: 'post',
    path: '/applications/:id/messages',
    guard: guard.consumer,
    summary: 'Reply to the institution (409 application_rejected once the application is rejected)',
    errors: [409],
    response: messageResponse,
    body: messageBody,
    bodyError: '消息有误',
    status: 201,
    responseDescription: 'Message',
    handler: async ({ params, body, principal: { account }, services }) => messageJson(await services.messages.postByConsumer(account.id, params.id, body.body)),
  }),
  route({
    method: 'get',
    path: '/applications/:id',
    guard: guard.consumer,
    summary: 'One of the consumer’s applications, with its timeline; a rejected one also carries the reason in words and products with better odds (rejection)',
    response: applicationResponse,
    responseDescription: 'Application',
    handler: async ({ params, principal: { account }, services }) => {
      const app = await services.applications.getForConsumer(account.id, params.id);
      if (app.status !== 'rejected') return { ...applicationJson(app), rejection: null };
      const alternatives = await services.submission.alternativesAfterRejection(account.id, app);
      return { ...applicationJson(app), rejection: rejectionJson(explainRejection(app.rejectReason), alternatives) };
    },
  }),
  route({
    method: 'post',
    path: '/applications/:id/withdraw',
    guard: guard.consumer,
    summary: 'Withdraw an application',
    response: applicationResponse,
    idempotency: 'optional',
    responseDescription: 'Application',
    handler: async ({ params, principal: { account }, services, req }) => applicationJson(await services.applications.withdraw(account.id, params.id, auditActor(req))),
  }),
];

