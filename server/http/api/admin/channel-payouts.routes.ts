import { ValidationError } from '../../../lib/errors';
import { shanghaiMidnight } from '../../../modules/settlement';
import { auditActor } from '../../audit-actor';
import { channelAgreementJson, channelStatementJson, channelStatementSummaryJson } from '../../channel-payouts-view';
import { guard, route, type ApiRoute } from '../route-table';
import {
  channelAgreementBody,
  channelAgreementListResponse,
  channelAgreementResponse,
  channelAgreementsQuery,
  channelPaymentBody,
  channelResolutionBody,
  channelResolutionResponse,
  channelStatementListResponse,
  channelStatementResponse,
  channelStatementsQuery,
} from './channel-payouts.schemas';

const manageAgreements = guard.operator('agreements.manage');
const finance = guard.operator('settlement.view');
const financeManage = guard.operator('settlement.manage');

const day = (date: string, field: string) => {
  const at = shanghaiMidnight(date);
  if (!at) throw new ValidationError('日期有误', { [field]: '日期格式为 YYYY-MM-DD' });
  return at;
};

/** `/api/admin/v1/channel-agreements`, `/channel-statements`: channel agreements and channel statements. */
export const adminChannelPayoutRoutes: ApiRoute[] = [
  route({
    method: 'get',
    path: '/channel-agreements',
    guard: manageAgreements,
    summary: "Every version of one channel's agreement, newest first (permission agreements.manage); 404 for no such channel",
    query: channelAgreementsQuery,
    responseDescription: '{ items }',
    response: channelAgreementListResponse,
    handler: async ({ query, services }) => ({ items: (await services.channelPayouts.agreementsOf(query.channelId)).map(channelAgreementJson) }),
  }),
  route({
    method: 'post',
    path: '/channel-agreements',
    guard: manageAgreements,
    summary:
      "Adds a version of a channel's agreement (permission agreements.manage; audited): per-event amounts in yuan with tiers from the N-th event of the channel's month, a share of the platform's commission (percent, rounded down to the fen), a monthly cap, a reversal window. With a version already, a new one starts on a future day after the latest (409 agreement_overlap otherwise) and ends it",
    body: channelAgreementBody,
    bodyError: '渠道协议条款有误',
    status: 201,
    errors: [409],
    responseDescription: 'the version created',
    response: channelAgreementResponse,
    handler: async ({ body, services, req }) => {
      const created = await services.channelPayouts.createAgreement(
        {
          channelId: body.channelId,
          perEvent: body.perEvent.map((r) => ({ rule: r.rule, amountFen: r.amount, tiers: r.tiers.map((t) => ({ fromCount: t.fromCount, amountFen: t.amount })) })),
          shareRate: (Number(body.sharePercent) / 100).toFixed(6),
          monthlyCapFen: body.monthlyCap,
          reversalWindowDays: body.reversalWindowDays,
          effectiveFrom: day(body.effectiveFrom, 'effectiveFrom'),
          effectiveTo: body.effectiveTo ? day(body.effectiveTo, 'effectiveTo') : null,
          note: body.note,
        },
        { actor: auditActor(req) },
      );
      return channelAgreementJson(created);
    },
  }),
  route({
    method: 'get',
    path: '/channel-statements',
    guard: finance,
    summary: 'Channel statements, newest period first (permission settlement.view)',
    query: channelStatementsQuery,
    responseDescription: '{ items }',
    response: channelStatementListResponse,
    handler: async ({ query, services }) => ({ items: (await services.channelPayouts.list(query)).map(channelStatementSummaryJson) }),
  }),
  route({
    method: 'get',
    path: '/channel-statements/:id',
    guard: finance,
    summary: 'One channel statement with its lines (payables, reversals, adjustments, excluded events with their evidence), disputes and payment (permission settlement.view; audited)',
    responseDescription: 'the statement',
    response: channelStatementResponse,
    handler: async ({ params, services, req }) => channelStatementJson(await services.channelPayouts.viewBy(auditActor(req), params.id)),
  }),
  route({
    method: 'post',
    path: '/channel-statements/:id/issue',
    guard: financeManage,
    summary: 'Issues a draft channel statement to the channel (permission settlement.manage); 409 statement_not_draft when it is not a draft. A statement with nothing owed is settled at once',
    bodyError: '此接口不接受参数',
    errors: [409],
    responseDescription: 'the statement',
    response: channelStatementResponse,
    handler: async ({ params, services, req }) => {
      await services.channelPayouts.issue(params.id, auditActor(req));
      return channelStatementJson(await services.channelPayouts.detail(params.id));
    },
  }),
  route({
    method: 'post',
    path: '/channel-statements/:id/payments',
    guard: financeManage,
    summary:
      "Records the platform's bank transfer to the channel for an issued statement (permission settlement.manage; audited): the amount must equal the statement's total (409 payment_amount_mismatch, field amount); 409 statement_not_issued, statement_disputed or statement_paid by its status",
    body: channelPaymentBody,
    bodyError: '付款信息有误',
    idempotency: 'optional',
    status: 201,
    errors: [409],
    responseDescription: 'the statement, paid',
    response: channelStatementResponse,
    handler: async ({ params, body, services, req }) => {
      await services.channelPayouts.recordPayment(params.id, { amountFen: body.amount, paidAt: day(body.paidOn, 'paidOn'), reference: body.reference }, auditActor(req));
      return channelStatementJson(await services.channelPayouts.detail(params.id));
    },
  }),
  route({
    method: 'post',
    path: '/channel-statement-lines/:id/resolution',
    guard: financeManage,
    summary:
      "Resolves a channel's dispute of a line (permission settlement.manage; audited): accept with an adjustment in yuan (positive: the platform pays more; billed on the channel's next statement) or reject, with a note; 404 without a dispute, 409 dispute_resolved when already resolved",
    body: channelResolutionBody,
    bodyError: '处理信息有误',
    errors: [409],
    responseDescription: '{ adjustmentId, statement }',
    response: channelResolutionResponse,
    handler: async ({ params, body, services, req }) => {
      const lineId = Number(params.id);
      if (!Number.isSafeInteger(lineId) || lineId <= 0) throw new ValidationError('明细编号无效', { id: '明细编号须为正整数' });
      const input = body.action === 'accept' ? { action: 'accept' as const, amountFen: body.amount, note: body.note } : { action: 'reject' as const, note: body.note };
      const { adjustmentId, statementId } = await services.channelPayouts.resolveDisputeOfLine(lineId, input, auditActor(req));
      return { adjustmentId, statement: channelStatementJson(await services.channelPayouts.detail(statementId)) };
    },
  }),
];
