import type { Services } from '../container';
import { accountJobs } from '../modules/accounts';
import { catalogueJobs } from '../modules/catalogue';
import { feedbackJobs } from '../modules/feedback';
import { institutionJobs } from '../modules/institutions';
import { loanJobs } from '../modules/loans';
import { notificationJobs } from '../modules/notifications';
import { webhookJobs } from '../modules/webhooks';
import { isTicker, type BackgroundWork, type JobDefinition } from './job';

/** The cron jobs of the platform (without the tickers). */
export function allJobs(services: Omit<Services, 'scheduler'>): JobDefinition[] {
  return allWork(services).filter((work): work is JobDefinition => !isTicker(work));
}

/**
 * Every scheduled job and ticker of the platform, in one place. Each domain declares its own
 * work (its *.jobs.ts); this list only gathers them for the scheduler.
 */
export function allWork(services: Omit<Services, 'scheduler'>): BackgroundWork[] {
  return [
    {
      name: 'applications-expire',
      title: '30 天无进展的申请自动过期',
      schedule: '15 * * * *',
      run: async ({ now }) => ({ processed: await services.applications.expireStale(now) }),
    },
    ...institutionJobs(services.licences),
    ...feedbackJobs(services.complaints),
    ...accountJobs(services.accounts),
    ...loanJobs(services.postLoan),
    ...notificationJobs(services.notifications, (accountId, now) => services.accounts.smsWindow(accountId, now)),
    ...catalogueJobs(services.catalogue),
    ...webhookJobs(services.webhooks),
    {
      name: 'statements-close',
      title: '月结：按机构生成上月佣金结算单',
      schedule: '0 2 1 * *',
      run: async ({ now, signal }) => {
        const result = await services.statements.closePrevious(now, signal);
        return { processed: result.created.length, detail: { period: result.period, created: result.created.length, existing: result.existing.length, empty: result.empty } };
      },
    },
    {
      name: 'stripe-reconcile',
      title: '核对 Stripe 付款，补记丢失回调的结算单',
      schedule: '*/30 * * * *',
      run: async ({ now }) => {
        const result = await services.statements.reconcileStripe(now);
        return { processed: result.fixed.length, detail: result };
      },
    },
  ];
}
