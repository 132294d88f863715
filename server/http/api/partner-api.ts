import { Router } from 'express';
import type { Services } from '../../container';
import { NotFoundError } from '../../lib/errors';
import type { StatusChange } from '../../modules/applications';
import { auditActor } from '../audit-actor';
import { idempotent } from '../idempotency';
import type { HttpKit } from '../kit';
import { parse } from '../validate';
import { authRoutes } from './auth-routes';
import { accountSecurityRoutes, staffPasswordResetRoute } from './account-security';
import { leadFilterQuery, leadStatusBody, messageBody } from './schemas';
import { toLeadFilter } from '../lead-filter';
import { leadsCsv } from '../lead-csv';
import { sendCsv } from '../csv';
import { applicantJson, applicationJson, leadJson } from './serializers';
import { inYuan, statisticsRequest } from '../statistics';
import { partnerProductRoutes } from './partner-products';
import { partnerLoanRoutes } from './loans-api';
import { partnerSettlementRoutes } from './partner-settlement';

type LeadStatusInput = ReturnType<typeof leadStatusBody.parse>;

/** Turns a validated status body into the service's change. */
export function toStatusChange(body: LeadStatusInput): StatusChange {
  switch (body.status) {
    case 'approved':
      return {
        status: 'approved',
        offeredAmountFen: body.offeredAmount,
        offeredTermMonths: body.offeredTermMonths,
        offeredApr: body.offeredApr,
        note: body.note,
      };
    case 'disbursed':
      return { status: 'disbursed', amountFen: body.amount, note: body.note };
    default:
      return body;
  }
}

/** `/api/partner/v1`: an institution's own systems, by staff session or API key. */
export function partnerApi(services: Services, kit: HttpKit): Router {
  const { guards } = kit;
  const r = Router();
  const staff = guards.institution('api', 'leads.work');

  authRoutes(r, kit, 'institution');
  accountSecurityRoutes(r, services, guards.institution('api', 'portal.view', { allowSecuritySetup: true, sessionOnly: true }));
  staffPasswordResetRoute(r, services, guards.institution('api', 'staff.manage'), 'institution');

  r.get('/leads', staff, async (req, res) => {
    const q = parse(leadFilterQuery, req.query, '查询参数有误');
    const leads = await services.applications.listLeads(req.institutionId!, toLeadFilter(q));
    res.json({
      items: leads.map((l) => ({
        ...applicationJson(l),
        consentWithdrawn: l.consentWithdrawn,
        creditBand: l.creditBand,
        firstResponseAt: l.firstResponseAt,
        responseMinutes: l.responseMinutes,
        stale: l.stale,
      })),
    });
  });

  /** The inbox as CSV: consented fields only, identifiers masked; recorded as releases. */
  r.get('/leads/export.csv', staff, async (req, res) => {
    const q = parse(leadFilterQuery, req.query, '查询参数有误');
    const leads = await services.applications.exportLeads(req.institutionId!, toLeadFilter(q), auditActor(req));
    sendCsv(res, null, leadsCsv(leads));
  });

  r.get('/leads/:id', staff, async (req, res) => {
    const lead = await services.applications.getLead(req.institutionId!, String(req.params.id), auditActor(req));
    res.json(leadJson(lead));
  });

  r.get('/leads/:id/documents', staff, async (req, res) => {
    const lead = await services.applications.getLead(req.institutionId!, String(req.params.id), auditActor(req));
    const docs = lead.applicant ? await services.documents.listForApplication(lead.id) : [];
    res.json({ items: docs.map((d) => ({ id: d.id, kind: d.kind, mime: d.mime, size: d.size, sha256: d.sha256, createdAt: d.createdAt })) });
  });

  /** One document's bytes: only while the consent stands; a recorded release, audited. */
  r.get('/documents/:id', staff, async (req, res) => {
    const { row, bytes } = await services.documents.openByInstitution(req.institutionId!, String(req.params.id), auditActor(req));
    res.type(row.mime).set('Cache-Control', 'private, no-store').send(bytes);
  });

  r.get('/leads/:id/messages', staff, async (req, res) => {
    await services.applications.getLead(req.institutionId!, String(req.params.id), auditActor(req));
    res.json({ items: (await services.messages.thread(String(req.params.id))).map((m: { id: string; senderKind: string; body: string; createdAt: Date }) => ({ id: m.id, from: m.senderKind, body: m.body, at: m.createdAt })) });
  });

  r.post('/leads/:id/messages', staff, async (req, res) => {
    const body = parse(messageBody, req.body, '消息有误');
    const m = await services.messages.postByInstitution(req.institutionId!, String(req.params.id), req.account!.id, body.body);
    res.status(201).json({ id: m.id, from: m.senderKind, body: m.body, at: m.createdAt });
  });

  /** The consented fields in clear: recorded as a data release and audited; refused once consent is withdrawn. */
  r.post('/leads/:id/reveal', staff, async (req, res) => {
    const data = await services.applications.revealLead(req.institutionId!, String(req.params.id), auditActor(req), 'api');
    res.json({ applicant: applicantJson(data) });
  });

  r.post('/leads/:id/status', staff, idempotent(services.idempotency, { required: false }), async (req, res) => {
    const body = parse(leadStatusBody, req.body, '状态变更信息有误');
    const { application, commission } = await services.applications.changeStatusByInstitution(
      req.institutionId!,
      String(req.params.id),
      toStatusChange(body),
      auditActor(req),
    );
    const loanId = application.status === 'disbursed' ? await services.loans.idForApplication(application.id, { institutionId: req.institutionId! }) : null;
    res.json({
      ...applicationJson(application),
      commission: commission ? { rule: commission.rule, amount: commission.amountFen / 100, journalId: commission.journalId } : null,
      loan: loanId ? { id: loanId, href: `/api/partner/v1/loans/${loanId}` } : null,
    });
  });

  /** The institution's own statistics for a period (`from`, `to`, `days`, `productId`); amounts in yuan. */
  r.get('/statistics', guards.institution('api', 'statistics.view'), async (req, res) => {
    const { range, productId } = statisticsRequest(req.query, true);
    res.json(inYuan(await services.analytics.institutionStatistics(req.institutionId!, range, productId)));
  });
  partnerProductRoutes(r, services, kit);
  partnerLoanRoutes(r, services, kit);
  partnerSettlementRoutes(r, services, kit);

  r.use(guards.public, () => {
    throw new NotFoundError('接口');
  });
  return r;
}
