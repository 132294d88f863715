import type { BackgroundWork } from '../../jobs/job';
import type { ComplaintsService } from './complaints.service';

/** every instance ranks with the complaint rates of the last 90 days, kept in memory */
const COMPLAINT_RATES_REFRESH_MS = 15 * 60_000;

/** The feedback domain's scheduled work; gathered by server/jobs/registry.ts. */
export function feedbackJobs(complaints: ComplaintsService): BackgroundWork[] {
  return [
    {
      name: 'complaints-escalate',
      title: '投诉超时升级',
      schedule: '*/10 * * * *',
      run: async ({ now }) => ({ processed: await complaints.escalateOverdue(now) }),
    },
    {
      kind: 'ticker',
      name: 'complaint-rates-refresh',
      title: '刷新各产品近 90 天投诉率（综合排序）',
      everyMs: COMPLAINT_RATES_REFRESH_MS,
      scope: 'instance',
      tick: async ({ now }) => ({ processed: await complaints.refreshProductRates(now) }),
    },
  ];
}
