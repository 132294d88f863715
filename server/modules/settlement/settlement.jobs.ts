import type { BackgroundWork } from '../../jobs/job';
import { listenTicker } from '../../jobs/woken-by-commit';
import { CommissionDrainer, type CommissionOutbox } from './commission-drainer';
import type { StatementsService } from './statements.service';

/**
 * The settlement domain's scheduled work; gathered by server/jobs/registry.ts. The commission
 * outbox is accrued by one drainer per worker: `commissions-listen` opens its commit listener, so
 * queued events accrue as soon as their transaction commits; `commissions-accrue` is the safety poll.
 */
export function settlementJobs(statements: StatementsService, outbox: CommissionOutbox, receivables: { foldReceivables(): Promise<number> }): BackgroundWork[] {
  const drainer = new CommissionDrainer(outbox);
  return [
    {
      kind: 'ticker',
      name: 'receivables-fold',
      title: '合并应收余额的增量行（概览页的应收合计）',
      everyMs: 60_000,
      scope: 'worker',
      tick: async () => ({ processed: await receivables.foldReceivables() }),
    },
    {
      kind: 'ticker',
      name: 'commissions-accrue',
      title: '计提排队中的佣金（兜底轮询）',
      everyMs: 10_000,
      scope: 'worker',
      tick: async () => ({ processed: await drainer.wake() }),
    },
    listenTicker({ name: 'commissions-listen', title: '等待新申请提交的通知，提交即计提佣金', scope: 'worker' }, drainer),
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
