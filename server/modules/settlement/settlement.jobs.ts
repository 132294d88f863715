import type { JobDefinition } from '../../jobs/job';
import type { StatementsService } from './statements.service';

/** The settlement domain's scheduled work; gathered by server/jobs/registry.ts. */
export function settlementJobs(statements: StatementsService): JobDefinition[] {
  return [
    {
      name: 'statements-close',
      title: '月结：按机构生成上月佣金结算单',
      schedule: '0 2 1 * *',
      run: async ({ now, signal }) => {
        const result = await statements.closePrevious(now, signal);
        return { processed: result.created.length, detail: { period: result.period, created: result.created.length, existing: result.existing.length, empty: result.empty } };
      },
    },
    {
      name: 'stripe-reconcile',
      title: '核对 Stripe 付款，补记丢失回调的结算单',
      schedule: '*/30 * * * *',
      run: async ({ now }) => {
        const result = await statements.reconcileStripe(now);
        return { processed: result.fixed.length, detail: result };
      },
    },
  ];
}
