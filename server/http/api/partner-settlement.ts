import type { Router } from 'express';
import { z } from 'zod';
import type { Services } from '../../container';
import { auditActor } from '../audit-actor';
import type { HttpKit } from '../kit';
import { statementJson } from '../statements-view';
import { parse } from '../validate';

export const reconciliationBody = z
  .object({
    rows: z
      .array(
        z
          .object({
            applicationId: z.string().max(64),
            /** "2026-03-05", "2026-03-05 14:30:00" (Asia/Shanghai) or ISO 8601 with a zone */
            disbursedAt: z.string().max(40),
            /** yuan, at most two decimals: "12345.67" */
            amountYuan: z.union([z.string().max(20), z.number()]).transform(String),
          })
          .strict(),
      )
      .min(1, '至少一行')
      .max(50_000, '最多 50000 行'),
  })
  .strict();

const importJson = (r: { id: string; source: string; rowCount: number; matched: number; fromMonth: string; toMonth: string; createdAt: Date }) => ({
  id: r.id,
  source: r.source,
  rowCount: r.rowCount,
  matched: r.matched,
  fromMonth: r.fromMonth,
  toMonth: r.toMonth,
  createdAt: r.createdAt,
});

/** `/api/partner/v1/statements…` and `/reconciliations`: the institution's settlement by API (API keys included). */
export function partnerSettlementRoutes(r: Router, services: Services, kit: HttpKit): void {
  const settlement = kit.guards.institution('api', 'settlement.view');
  const settlementManage = kit.guards.institution('api', 'settlement.manage');

  r.get('/statements', settlement, async (req, res) => {
    const list = await services.statements.list({ institutionId: req.institutionId! });
    res.json({ items: list.map(statementJson) });
  });

  r.get('/statements/unbilled', settlement, async (req, res) => {
    res.json(await services.statements.unbilled(req.institutionId!));
  });

  r.get('/statements/:id', settlement, async (req, res) => {
    const s = await services.statements.detail(String(req.params.id), { institutionId: req.institutionId! });
    await services.audit.record(auditActor(req), { action: 'statement.viewed', objectType: 'statement', objectId: s.id });
    res.json(statementJson(s));
  });

  /** The institution's disbursement report as JSON; an identical report imports once (200 with the earlier import). */
  r.post('/reconciliations', settlementManage, async (req, res) => {
    const body = parse(reconciliationBody, req.body, '对账数据有误');
    const { import: imp, duplicate } = await services.reconciliation.submitRows(req.institutionId!, body.rows, auditActor(req));
    const detail = await services.reconciliation.detail(imp.id, req.institutionId!);
    res.status(duplicate ? 200 : 201).json({ ...importJson(imp), duplicate, differences: detail.differences.map(differenceJson) });
  });

  r.get('/reconciliations/:id', settlement, async (req, res) => {
    const detail = await services.reconciliation.detail(String(req.params.id), req.institutionId!);
    res.json({ ...importJson(detail), differences: detail.differences.map(differenceJson) });
  });
}

const differenceJson = (d: { applicationId: string; kind: string; ourAmountFen: number | null; theirAmountFen: number | null; status: string; resolutionNote: string | null }) => ({
  applicationId: d.applicationId,
  kind: d.kind,
  ourAmountFen: d.ourAmountFen,
  theirAmountFen: d.theirAmountFen,
  status: d.status,
  resolutionNote: d.resolutionNote,
});
