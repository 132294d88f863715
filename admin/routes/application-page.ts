import { auditActor } from '../../server/http/audit-actor';
import type { GuardSpec } from '../../server/http/guards';
import type { PageContext } from '../../server/http/page-route';
import { formatYuan } from '../../server/lib/money';
import { accountNames, ruleLabels, type CommissionRule } from '../../server/modules/settlement';

/** What the admin's page helpers take from their route's context: the request (for its audit actor), the services, `render` bound to the request. */
export type PageTools = Pick<PageContext<GuardSpec, string, undefined>, 'req' | 'res' | 'services' | 'render'>;

const kindLabels: Record<string, string> = {
  ...Object.fromEntries(Object.entries(ruleLabels).map(([rule, label]) => [`commission_${rule}`, label])),
  commission_reversal: '冲回',
};

/**
 * One application for operators: its history, the commission journals it posted (each balanced,
 * reversals as negative amounts) under which agreement version, and — for those who manage
 * agreements — a form to reverse a commission with a reason.
 */
export async function applicationPage(
  { req, services, render }: PageTools,
  id: string,
  extra: { error?: unknown; reverseValues?: Record<string, unknown> } = {},
): Promise<void> {
  const app = await services.applications.getForOperator(id, auditActor(req));
  const [journals, accruals, versions] = await Promise.all([
    services.settlement.journalsForApplication(id),
    services.settlement.accrualsForApplication(id),
    services.settlement.agreementsOf(app.institutionId),
  ]);
  const receivable = accountNames.institutionReceivable(app.institutionId);
  const commissions = journals.map((j) => ({
    ...j,
    kindLabel: kindLabels[j.kind] ?? j.kind,
    amountFen: j.entries.filter((e) => e.account === receivable).reduce((s, e) => s + e.amountFen, 0),
  }));
  const agreement = accruals[0] ? versions.find((a) => a.id === accruals[0]!.agreementId) : undefined;
  await render('application', {
    title: app.productName,
    app,
    commissions,
    commissionTotal: commissions.reduce((s, c) => s + c.amountFen, 0),
    agreement,
    reversible: accruals
      .filter((a) => a.reversed === null && a.amountFen > 0)
      .map((a) => ({ sourceKey: a.sourceKey, label: `${ruleLabels[a.rule as CommissionRule]} ${formatYuan(a.amountFen)}` })),
    reverseValues: extra.reverseValues ?? {},
    error: extra.error,
  });
}
