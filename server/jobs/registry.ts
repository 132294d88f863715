import type { Services } from '../container';
import { loanJobs } from '../modules/loans';
import { notificationJobs } from '../modules/notifications';
import type { JobDefinition } from './job';

/**
 * Every scheduled job of the platform, in one place. Each domain declares its own work; this
 * list only gathers them for the scheduler.
 */
export function allJobs(services: Services): JobDefinition[] {
  return [
    {
      name: 'applications-expire',
      title: '30 天无进展的申请自动过期',
      schedule: '15 * * * *',
      run: async ({ now }) => ({ processed: await services.applications.expireStale(now) }),
    },
    {
      name: 'licences-check',
      title: '机构牌照到期提醒与到期暂停产品',
      schedule: '5 0 * * *',
      run: async ({ now }) => {
        const result = await services.licences.enforce(now);
        return { processed: result.warned.length + result.lapsed.length, detail: result };
      },
    },
    {
      name: 'complaints-escalate',
      title: '投诉超时升级',
      schedule: '*/10 * * * *',
      run: async ({ now }) => ({ processed: await services.complaints.escalateOverdue(now) }),
    },
    {
      name: 'login-throttles-purge',
      title: '清理一天以前的登录失败记录',
      schedule: '40 3 * * *',
      run: async ({ now }) => ({ processed: await services.accounts.purgeThrottles(now) }),
    },
    ...loanJobs(services.postLoan),
    ...notificationJobs(services.notifications, (accountId, now) => services.accounts.smsWindow(accountId, now)),
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
