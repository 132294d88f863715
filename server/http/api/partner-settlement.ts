import type { Router } from 'express';
import type { Services } from '../../container';
import { auditActor } from '../audit-actor';
import type { HttpKit } from '../kit';
import { statementJson } from '../statements-view';

/** `/api/partner/v1/statements…` and `/reconciliations`: the institution's settlement by API (API keys included). */
export function partnerSettlementRoutes(r: Router, services: Services, kit: HttpKit): void {
  const settlement = kit.guards.institution('api', 'settlement.view');

  r.get('/statements', settlement, async (req, res) => {
    const list = await services.statements.list({ institutionId: req.institutionId! });
    res.json({ items: list.map(statementJson) });
  });

  r.get('/statements/:id', settlement, async (req, res) => {
    const s = await services.statements.detail(String(req.params.id), { institutionId: req.institutionId! });
    await services.audit.record(auditActor(req), { action: 'statement.viewed', objectType: 'statement', objectId: s.id });
    res.json(statementJson(s));
  });
}
