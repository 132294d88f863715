import type { Services } from '../container';
import { loanJobs } from '../modules/loans';
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
    ...loanJobs(services.postLoan),
  ];
}
