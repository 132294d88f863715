import { z } from 'zod';
import {
  applicationBody,
  calculatorQuery,
  consumerLoginBody,
  leadStatusBody,
  productListQuery,
  profileUpdateBody,
  recommendationQuery,
  registerBody,
  staffLoginBody,
  statusFilterQuery,
  leadFilterQuery,
  smsCodeBody,
  resetPasswordBody,
  changePasswordBody,
  smsLoginBody,
  identityBody,
  contactPreferencesBody,
  contactBlockBody,
  messageBody,
  closeAccountBody,
  complaintBody,
} from './schemas';
import { dashboardQuery, statisticsQuery } from '../statistics';
import { guideListQuery } from './content-api';
import { auditQuery } from '../audit-query';
import { productBody, reasonBody } from '../product-input';
import { loanListQuery, repaymentBody, scheduleBody } from './loans-api';
import { reconciliationBody } from './partner-settlement';
import { bankTransferBody } from './admin-api';

const json = (schema: z.ZodType) => z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' });

function queryParameters(schema: z.ZodObject) {
  const shape = json(schema) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(shape.properties ?? {}).map(([name, s]) => ({
    name,
    in: 'query',
    required: shape.required?.includes(name) ?? false,
    schema: s,
  }));
}

const error = {
  description: 'Error: `{ error: { code, message, fields } }`',
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
};
const ok = (description: string) => ({ description, content: { 'application/json': { schema: { type: 'object' } } } });
const body = (schema: z.ZodType) => ({ required: true, content: { 'application/json': { schema: json(schema) } } });
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const idempotencyHeader = (required: boolean) => ({
  name: 'Idempotency-Key',
  in: 'header',
  required,
  description: 'A unique value per new request. The same key and body return the same result; the same key with another body is a 409.',
  schema: { type: 'string', minLength: 8, maxLength: 128 },
});

/** OpenAPI 3.1 description of the JSON APIs, generated from the same zod schemas that validate requests. */
export function openApiDocument() {
  return {
    openapi: '3.1.0',
    info: {
      title: '贷超 API',
      version: '1.0.0',
      description:
        'Lead webhooks: POST of {id, event, createdAt, data} signed `x-daichao-signature: t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>`, retried with backoff until a 2xx; deduplicate on `x-daichao-delivery`. Money is in yuan with two decimals; rates are fractions (0.12 = 12%). Errors are `{ error: { code, message, fields } }`. Consumer and operator calls use the session cookie from `auth/login`; state-changing calls must be JSON. Partner calls accept a staff session or `Authorization: Bearer <API key>`.',
    },
    servers: [{ url: '/' }],
    components: {
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: 'dc.sid' },
        partnerKey: { type: 'http', scheme: 'bearer', description: 'Institution API key: dck_<prefix>_<secret>' },
      },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message'],
              properties: {
                code: { type: 'string' },
                message: { type: 'string' },
                fields: { type: 'object', additionalProperties: { type: 'string' } },
                requestId: { type: 'string' },
              },
            },
          },
        },
      },
    },
    paths: {
      '/api/v1/products': {
        get: {
          summary: 'Search listed products (Chinese-aware), filter, sort and page; facet counts per category, institution and repayment method',
          description: 'Every item carries its all-in APR range (`apr.min`, `apr.max`, IRR method, every fee included). `eligible=true` keeps only products the logged-in consumer qualifies for, from their profile.',
          parameters: queryParameters(productListQuery),
          responses: { 200: ok('{ items, total, page, pageSize, facets: { category, institution, repayment } }'), 400: error },
        },
      },
      '/api/v1/calculator': {
        get: {
          summary: 'Repayment schedule and all-in APR',
          description: 'Money in yuan with two decimals, rates as fractions. Each instalment is rounded to the fen; the last absorbs the remainder.',
          parameters: queryParameters(calculatorQuery),
          responses: { 200: ok('{ schedule: [{ period, dueDate, payment, principal, interest, fee, balance }], totalInterest, totalFees, totalPayment, netReceived, apr }'), 400: error },
        },
      },
      '/api/v1/recommendations': {
        get: {
          summary: 'Products recommended for a need and profile, each with its reasons in words',
          description: 'Uses the logged-in consumer’s profile when there is one; profile fields in the query override it. Ineligible products are never recommended.',
          parameters: queryParameters(recommendationQuery),
          responses: { 200: ok('{ items: [{ product, reasons, apr, monthlyPayment }] }'), 400: error },
        },
      },
      '/api/v1/profile': {
        get: { summary: 'The consumer’s profile', security: [{ session: [] }], responses: { 200: ok('Profile'), 401: error } },
        put: {
          summary: 'Save the consumer’s profile: the fields sent are saved, null clears one, fields not sent are kept',
          security: [{ session: [] }],
          requestBody: body(profileUpdateBody),
          responses: { 200: ok('Profile'), 400: error, 401: error },
        },
      },
      '/api/v1/products/{id}': { get: { summary: 'One listed product', parameters: [idParam], responses: { 200: ok('Product'), 404: error } } },
      '/api/v1/auth/register': { post: { summary: 'Register a consumer and log in', requestBody: body(registerBody), responses: { 201: ok('{ account }'), 400: error, 409: error, 429: error } } },
      '/api/v1/auth/login': {
        post: {
          summary: 'Consumer login. After 5 failures each further attempt waits 1, 2, 4 … minutes (429 login_throttled, Retry-After); log in with an SMS code meanwhile',
          requestBody: body(consumerLoginBody),
          responses: { 200: ok('{ account }'), 400: error, 401: error, 429: error },
        },
      },
      '/api/v1/auth/login/sms': {
        post: { summary: 'Consumer login with an SMS code (sms-code with purpose login first)', requestBody: body(smsLoginBody), responses: { 200: ok('{ account }'), 400: error, 401: error, 429: error } },
      },
      '/api/v1/auth/logout': { post: { summary: 'Log out (destroys the session)', responses: { 204: { description: 'Logged out' } } } },
      '/api/v1/applications': {
        get: { summary: "The consumer's applications", security: [{ session: [] }], responses: { 200: ok('{ items }'), 401: error } },
        post: {
          summary: 'Apply to one or many products (一键申请多家) with one consent per institution; refused items say why (no_consent, ineligible, duplicate, invalid)',
          security: [{ session: [] }],
          parameters: [idempotencyHeader(true)],
          requestBody: body(applicationBody),
          responses: { 201: ok('Application'), 400: error, 401: error, 409: error },
        },
      },
      '/api/v1/applications/{id}': {
        get: { summary: 'One of the consumer’s applications, with its timeline', security: [{ session: [] }], parameters: [idParam], responses: { 200: ok('Application'), 401: error, 404: error } },
      },
      '/api/v1/applications/{id}/withdraw': {
        post: { summary: 'Withdraw an application', security: [{ session: [] }], parameters: [idParam], responses: { 200: ok('Application'), 404: error, 409: error } },
      },
      '/api/v1/auth/sms-code': {
        post: { summary: 'Send a one-time SMS code (register, reset_password or login; for an unknown number nothing is sent but the answer is the same); one a minute, ten a day per number', requestBody: body(smsCodeBody), responses: { 202: ok('{ sent, resendAfterSeconds }'), 400: error, 429: error } },
      },
      '/api/v1/auth/password/reset': { post: { summary: 'Reset a forgotten password with an SMS code; every session ends', requestBody: body(resetPasswordBody), responses: { 204: { description: 'Reset' }, 400: error } } },
      '/api/v1/auth/password/change': { post: { summary: 'Change the password; other sessions end', security: [{ session: [] }], requestBody: body(changePasswordBody), responses: { 204: { description: 'Changed' }, 400: error } } },
      '/api/v1/auth/logout-everywhere': { post: { summary: 'End every session of the account', security: [{ session: [] }], responses: { 204: { description: 'Done' } } } },
      '/api/v1/identity': {
        get: { summary: 'Real-name verification status (masked)', security: [{ session: [] }], responses: { 200: ok('{ verified, realNameMasked, idNumberMasked, age }') } },
        post: { summary: 'Verify real name and resident ID number (checksum, provider); once per person', security: [{ session: [] }], requestBody: body(identityBody), responses: { 201: ok('Identity summary'), 400: error, 409: error } },
      },
      '/api/v1/identity/reveal': { post: { summary: 'The consumer reveals their own ID number (audited)', security: [{ session: [] }], responses: { 200: ok('{ realName, idNumber }') } } },
      '/api/v1/contact-preferences': {
        get: { summary: 'Channels, quiet hours and institutions asked to stop contacting', security: [{ session: [] }], responses: { 200: ok('Contact preferences') } },
        put: { summary: 'Save contact preferences', security: [{ session: [] }], requestBody: body(contactPreferencesBody), responses: { 200: ok('Contact preferences'), 400: error } },
      },
      '/api/v1/contact-preferences/blocks': { post: { summary: '"Stop contacting me" for one institution, or undo', security: [{ session: [] }], requestBody: body(contactBlockBody), responses: { 200: ok('Contact preferences'), 400: error } } },
      '/api/v1/applications/consent-preview': {
        get: { summary: 'The consent screen for a set of products: each institution, the purpose, the exact fields', parameters: [{ name: 'products', in: 'query', required: true, schema: { type: 'string', description: 'comma-separated product ids' } }], responses: { 200: ok('{ consents }') } },
      },
      '/api/v1/applications/{id}/messages': {
        get: { summary: 'The thread with the institution', security: [{ session: [] }], parameters: [idParam], responses: { 200: ok('{ items }'), 404: error } },
        post: { summary: 'Reply to the institution', security: [{ session: [] }], parameters: [idParam], requestBody: body(messageBody), responses: { 201: ok('Message'), 400: error, 404: error } },
      },
      '/api/v1/applications/{id}/documents': {
        post: {
          summary:
            'Upload a document (multipart: kind, file; JPG/PNG/PDF judged by content, ≤ 5 MB). With a session cookie send X-Requested-With. Past the per-application or per-account quota (files, bytes): 409 document_quota_exceeded.',
          security: [{ session: [] }],
          parameters: [idParam],
          requestBody: { required: true, content: { 'multipart/form-data': { schema: { type: 'object', properties: { kind: { type: 'string', enum: ['id_front', 'id_back', 'income_proof', 'other'] }, file: { type: 'string', format: 'binary' } } } } } },
          responses: { 201: ok('Document'), 400: error, 404: error, 409: error, 413: error },
        },
      },
      '/api/v1/documents/{id}': { get: { summary: 'One of the consumer’s documents (audited)', security: [{ session: [] }], parameters: [idParam], responses: { 200: { description: 'The file' }, 404: error } } },
      '/api/v1/data-releases': { get: { summary: '"Who has my data": every consent with every release under it', security: [{ session: [] }], responses: { 200: ok('{ items }') } } },
      '/api/v1/consents/{id}/withdraw': { post: { summary: 'Withdraw a consent: the institution sees nothing more', security: [{ session: [] }], parameters: [idParam], responses: { 200: ok('{ consentId, withdrawnAt }'), 404: error } } },
      '/api/v1/me/export': { get: { summary: 'Everything held about the consumer, as JSON (audited)', security: [{ session: [] }], responses: { 200: ok('Export') } } },
      '/api/v1/me/close': { post: { summary: 'Close the account (password; nothing in progress)', security: [{ session: [] }], requestBody: body(closeAccountBody), responses: { 204: { description: 'Closed' }, 400: error } } },
      '/api/v1/complaints': {
        get: { summary: 'The consumer’s complaints', security: [{ session: [] }], responses: { 200: ok('{ items }') } },
        post: {
          summary: 'File a complaint about the institution of one of the consumer’s applications (applicationId) or about the platform; due dates for the first answer and resolution come back',
          security: [{ session: [] }],
          parameters: [idempotencyHeader(false)],
          requestBody: body(complaintBody),
          responses: { 201: ok('Complaint'), 400: error, 409: error },
        },
      },
      '/api/v1/complaints/{id}': {
        get: { summary: 'One complaint with its progress: status changes and the thread with the platform (SLA due dates in UTC)', security: [{ session: [] }], parameters: [idParam], responses: { 200: ok('Complaint'), 404: error } },
      },
      '/api/v1/notifications': { get: { summary: 'In-app notifications', security: [{ session: [] }], responses: { 200: ok('{ unread, items }') } } },
      '/api/partner/v1/leads/export.csv': {
        get: { summary: 'The inbox as CSV: consented fields only, identifiers masked; recorded as releases', security: [{ session: [] }, { partnerKey: [] }], parameters: queryParameters(leadFilterQuery), responses: { 200: { description: 'text/csv' } } },
      },
      '/api/partner/v1/leads/{id}/reveal': {
        post: { summary: 'The consented fields in clear: a recorded release, audited; 403 after the consent is withdrawn', security: [{ session: [] }, { partnerKey: [] }], parameters: [idParam], responses: { 200: ok('{ applicant }'), 403: error, 404: error } },
      },
      '/api/partner/v1/leads/{id}/messages': {
        get: { summary: 'The thread on a lead', security: [{ session: [] }, { partnerKey: [] }], parameters: [idParam], responses: { 200: ok('{ items }'), 404: error } },
        post: { summary: 'Write to the applicant (refused when consent is withdrawn or they asked you to stop)', security: [{ session: [] }, { partnerKey: [] }], parameters: [idParam], requestBody: body(messageBody), responses: { 201: ok('Message'), 403: error, 404: error } },
      },
      '/api/partner/v1/products': {
        get: { summary: 'The institution’s products with status, all-in APR range and newest version', security: [{ session: [] }], responses: { 200: ok('{ items }') } },
        post: { summary: 'Create a product as a draft (version 1); the all-in APR range is computed from every fee', security: [{ session: [] }], requestBody: body(productBody), responses: { 201: ok('Product with latestVersion'), 400: error } },
      },
      '/api/partner/v1/products/{id}': {
        get: { summary: 'One product with every version (reviewer comments, checklist) and its status history (pause reasons)', security: [{ session: [] }], parameters: [idParam], responses: { 200: ok('Product'), 404: error } },
        put: { summary: 'Save a new draft version; a listed product keeps serving its approved version until this one is approved. 409 while a version is in review', security: [{ session: [] }], parameters: [idParam], requestBody: body(productBody), responses: { 200: ok('Version'), 400: error, 404: error, 409: error } },
      },
      '/api/partner/v1/products/{id}/submit': {
        post: { summary: 'Submit the newest draft version for review', security: [{ session: [] }], parameters: [idParam], responses: { 200: ok('Version'), 404: error, 409: error } },
      },
      '/api/partner/v1/products/{id}/pause': {
        post: { summary: 'Pause a listed product, with a reason', security: [{ session: [] }], parameters: [idParam], requestBody: body(reasonBody), responses: { 200: ok('Product'), 400: error, 404: error, 409: error } },
      },
      '/api/partner/v1/products/{id}/resume': {
        post: { summary: 'Resume a product the institution paused (an operator’s pause is lifted by operators only)', security: [{ session: [] }], parameters: [idParam], responses: { 200: ok('Product'), 403: error, 404: error, 409: error } },
      },
      '/api/partner/v1/leads/{id}/documents': { get: { summary: 'Documents of a lead (while the consent stands)', security: [{ session: [] }, { partnerKey: [] }], parameters: [idParam], responses: { 200: ok('{ items }') } } },
      '/api/partner/v1/documents/{id}': { get: { summary: 'One document’s bytes: a recorded release, audited', security: [{ session: [] }, { partnerKey: [] }], parameters: [idParam], responses: { 200: { description: 'The file' }, 403: error, 404: error } } },
      '/api/partner/v1/auth/login': { post: { summary: 'Institution staff login (`totp` for two-step verification)', requestBody: body(staffLoginBody), responses: { 200: ok('{ account }'), 401: error, 429: error } } },
      '/api/partner/v1/auth/password/change': {
        post: { summary: 'Institution staff: change the own password (also to replace a one-time password); other sessions end', security: [{ session: [] }], requestBody: body(changePasswordBody), responses: { 204: { description: 'Changed' }, 400: error, 403: error } },
      },
      '/api/partner/v1/auth/logout-everywhere': { post: { summary: 'Institution staff: end every session of the own account', security: [{ session: [] }], responses: { 204: { description: 'Done' }, 403: error } } },
      '/api/partner/v1/staff/{id}/password-reset': {
        post: {
          summary: 'Institution staff: reset a colleague’s password (admins; the colleague’s sessions end, they must set their own at next login)',
          security: [{ session: [] }],
          parameters: [idParam],
          responses: { 200: ok('{ account: { id, displayName, login }, oneTimePassword }'), 403: error, 404: error, 409: error },
        },
      },
      '/api/partner/v1/leads': {
        get: {
          summary: "The institution's leads",
          security: [{ session: [] }, { partnerKey: [] }],
          parameters: queryParameters(leadFilterQuery),
          responses: { 200: ok('{ items }'), 401: error },
        },
      },
      '/api/partner/v1/leads/{id}': {
        get: { summary: 'One lead (audited read)', security: [{ session: [] }, { partnerKey: [] }], parameters: [idParam], responses: { 200: ok('Lead'), 404: error } },
      },
      '/api/partner/v1/leads/{id}/status': {
        post: {
          summary: 'Move a lead: reviewing, approved (offer), rejected (reason), disbursed (amount). Commission posts once.',
          security: [{ session: [] }, { partnerKey: [] }],
          parameters: [idParam, idempotencyHeader(false)],
          requestBody: body(leadStatusBody),
          responses: { 200: ok('Lead with the commission it earned and, once disbursed, `loan: { id, href }`'), 400: error, 404: error, 409: error },
        },
      },
      '/api/partner/v1/loans': {
        get: { summary: "The institution's loans (one per disbursed lead) with balances and next due", security: [{ session: [] }, { partnerKey: [] }], parameters: queryParameters(loanListQuery), responses: { 200: ok('{ items }'), 400: error } },
      },
      '/api/partner/v1/loans/{id}': {
        get: { summary: 'One loan: schedule with what is paid, repayments, today’s early-settlement quote', security: [{ session: [] }, { partnerKey: [] }], parameters: [idParam], responses: { 200: ok('Loan'), 404: error } },
      },
      '/api/partner/v1/loans/{id}/schedule': {
        post: {
          summary: 'Replace the generated schedule with the institution’s own (principal must sum to the loan principal, due dates increasing; only before any repayment)',
          security: [{ session: [] }, { partnerKey: [] }],
          parameters: [idParam],
          requestBody: body(scheduleBody),
          responses: { 200: ok('Loan'), 400: error, 404: error, 409: error },
        },
      },
      '/api/partner/v1/loans/{id}/repayments': {
        post: {
          summary: 'Report a repayment received; idempotent by transactionId (unique per loan). Allocated oldest instalment first: fees, interest, principal. `settle: true` pays the loan off at today’s quote.',
          security: [{ session: [] }, { partnerKey: [] }],
          parameters: [idParam],
          requestBody: body(repaymentBody),
          responses: { 201: ok('{ repayment, replayed: false, loan }'), 200: ok('{ repayment, replayed: true, loan } (already recorded)'), 400: error, 404: error, 409: error },
        },
      },
      '/api/v1/loans': { get: { summary: "The consumer's own loans", security: [{ session: [] }], responses: { 200: ok('{ items }'), 401: error } } },
      '/api/v1/loans/{id}': {
        get: { summary: 'One of the consumer’s loans: schedule, payments, how to pay, early-settlement estimate for today', security: [{ session: [] }], parameters: [idParam], responses: { 200: ok('Loan'), 401: error, 404: error } },
      },
      '/api/admin/v1/auth/login': { post: { summary: 'Operator login (`totp` for two-step verification)', requestBody: body(staffLoginBody), responses: { 200: ok('{ account }'), 401: error, 429: error } } },
      '/api/admin/v1/auth/password/change': {
        post: { summary: 'Operators: change the own password (also to replace a one-time password); other sessions end', security: [{ session: [] }], requestBody: body(changePasswordBody), responses: { 204: { description: 'Changed' }, 400: error, 403: error } },
      },
      '/api/admin/v1/auth/logout-everywhere': { post: { summary: 'Operators: end every session of the own account', security: [{ session: [] }], responses: { 204: { description: 'Done' }, 403: error } } },
      '/api/admin/v1/staff/{id}/password-reset': {
        post: {
          summary: 'Operators: reset a colleague’s password (admins; the colleague’s sessions end, they must set their own at next login)',
          security: [{ session: [] }],
          parameters: [idParam],
          responses: { 200: ok('{ account: { id, displayName, login }, oneTimePassword }'), 403: error, 404: error, 409: error },
        },
      },
      '/api/admin/v1/applications': {
        get: { summary: 'All applications', security: [{ session: [] }], parameters: queryParameters(statusFilterQuery), responses: { 200: ok('{ items }'), 401: error } },
      },
      '/api/admin/v1/applications/{id}': {
        get: { summary: 'One application with its status history and commission journals', security: [{ session: [] }], parameters: [idParam], responses: { 200: ok('Application'), 404: error } },
      },
      '/api/admin/v1/statements/{id}': {
        get: {
          summary: 'One statement (permission settlement.view) with lines and payments; overpaidFen and each payment\'s overpaymentFen and overpaymentReason show money received beyond the total',
          security: [{ session: [] }],
          parameters: [idParam],
          responses: { 200: ok('Statement'), 404: error },
        },
      },
      '/api/admin/v1/statements/{id}/payments': {
        post: {
          summary: "Records a bank transfer against an issued statement (permission settlement.manage). A reference already recorded on the statement is a 409 (field reference); more than is outstanding is a 400 (field amount, naming the outstanding amount) unless overpayment is true with an overpaymentReason, in which case the excess is kept as the institution's credit",
          security: [{ session: [] }],
          parameters: [idParam, idempotencyHeader(false)],
          requestBody: body(bankTransferBody),
          responses: { 201: ok('{ payment, statement }'), 400: error, 404: error, 409: error },
        },
      },
      '/api/admin/v1/receivables': { get: { summary: 'Commission receivable per institution', security: [{ session: [] }], responses: { 200: ok('{ items }') } } },
      '/api/partner/v1/statistics': {
        get: {
          summary: "The institution's own statistics for a period of Asia/Shanghai days (default the last 30, at most 366): KPIs, per day, per product, per channel, per city and customer mix (groups under 5 people withheld); amounts in yuan",
          security: [{ session: [] }, { partnerKey: [] }],
          parameters: queryParameters(statisticsQuery),
          responses: { 200: ok('{ range, kpis, daily, byProduct, byChannel, byRegion, mix }'), 400: error, 404: error },
        },
      },
      '/api/partner/v1/statements': {
        get: {
          summary: "The institution's issued statements, newest period first: totals, paid, outstanding, due date and status (issued, disputed, overdue, paid); amounts in fen",
          security: [{ session: [] }, { partnerKey: [] }],
          responses: { 200: ok('{ items }'), 401: error },
        },
      },
      '/api/partner/v1/statements/unbilled': {
        get: {
          summary: 'Commission owed but on no issued statement yet: this month (billed at the next monthly close) and earlier months; amounts in fen',
          security: [{ session: [] }, { partnerKey: [] }],
          responses: { 200: ok('{ period, currentFen, currentItems, earlierFen, earlierItems, totalFen, nextCloseOn }'), 401: error },
        },
      },
      '/api/partner/v1/statements/{id}': {
        get: {
          summary: 'One statement with its lines (kind, application, source event, rule, amount in fen, late, review) and payments',
          security: [{ session: [] }, { partnerKey: [] }],
          parameters: [idParam],
          responses: { 200: ok('Statement'), 404: error },
        },
      },
      '/api/partner/v1/reconciliations': {
        post: {
          summary: "The institution's disbursement report for reconciliation. Any bad row rejects the whole report (400, fields named `line N`); an identical report imports once (201 the first time, then 200 with duplicate: true)",
          security: [{ session: [] }, { partnerKey: [] }],
          requestBody: body(reconciliationBody),
          responses: { 200: ok('{ id, matched, duplicate: true, differences }'), 201: ok('{ id, rowCount, matched, differences }'), 400: error },
        },
      },
      '/api/partner/v1/reconciliations/{id}': {
        get: {
          summary: 'One reconciliation: matched count and each difference (missing_ours, missing_theirs, amount) with how it was resolved',
          security: [{ session: [] }, { partnerKey: [] }],
          parameters: [idParam],
          responses: { 200: ok('Reconciliation'), 404: error },
        },
      },
      '/api/admin/v1/dashboard': {
        get: {
          summary: 'Platform figures for a period: totals, per day, per institution and the search-to-disbursement funnel; amounts in yuan',
          security: [{ session: [] }],
          parameters: queryParameters(dashboardQuery),
          responses: { 200: ok('{ range, totals, daily, institutions, funnel }'), 400: error },
        },
      },
      '/api/admin/v1/audit': {
        get: {
          summary: 'The audit log, newest first, 100 per call (permission audit.view); pass nextBefore as before for the next page. Each call is itself audited.',
          description: 'action is a prefix match; from/to are Asia/Shanghai calendar days (YYYY-MM-DD), both inclusive.',
          security: [{ session: [] }],
          parameters: queryParameters(auditQuery as unknown as z.ZodObject),
          responses: { 200: ok('{ items: [{ id, createdAt, actor: { kind, id, name }, action, object: { type, id }, ip, requestId, detail }], nextBefore }'), 400: error, 403: error },
        },
      },
      '/api/admin/v1/jobs': {
        get: {
          summary: 'The scheduled jobs (permission jobs.run): schedule (cron, Asia/Shanghai), next run, last run and the 10 most recent runs',
          security: [{ session: [] }],
          responses: { 200: ok('{ items: [{ name, title, schedule, timezone, nextRunAt, lastRun, recent: [{ id, job, scheduledFor, trigger, outcome, startedAt, finishedAt, durationMs, processed, detail, error, instanceId, fencingToken, attempt, requestedBy }] }] }'), 403: error },
        },
      },
      '/api/admin/v1/jobs/{name}/run': {
        post: {
          summary: 'Runs a job now under its lock (trigger manual, audited); status ran, or locked with a skipped_locked run when it is running elsewhere',
          security: [{ session: [] }],
          parameters: [{ name: 'name', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: ok('{ status, run }'), 400: error, 403: error, 404: error },
        },
      },
      '/api/v1/guides': {
        get: {
          summary: 'Published guides (攻略), newest first; q is Chinese-aware (装修 finds 装修贷款)',
          parameters: queryParameters(guideListQuery),
          responses: { 200: ok('{ items: [{ slug, title, summary, category: { id, name }, coverUrl, publishedAt, url }], total, page, pageSize }'), 400: error },
        },
      },
      '/api/v1/guides/{slug}': {
        get: {
          summary: 'One published guide with its sanitised HTML body (404 for drafts and unpublished ones)',
          parameters: [{ name: 'slug', in: 'path', required: true, schema: { type: 'string' } }],
          responses: { 200: ok('{ slug, title, summary, category, coverUrl, publishedAt, updatedAt, url, bodyHtml }'), 404: error },
        },
      },
      '/api/v1/campaigns': { get: { summary: 'Campaigns running today (Asia/Shanghai), for the home banner', responses: { 200: ok('{ items: [{ id, title, description, bannerUrl, link, startDate, endDate }] }') } } },
    },
  };
}
