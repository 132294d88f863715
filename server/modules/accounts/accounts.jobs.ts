import type { JobDefinition } from '../../jobs/job';
import type { AccountsService } from './accounts.service';

/** The accounts domain's scheduled work; gathered by server/jobs/registry.ts. */
export function accountJobs(accounts: AccountsService): JobDefinition[] {
  return [
    {
      name: 'login-throttles-purge',
      title: '清理一天以前的登录失败记录',
      schedule: '40 3 * * *',
      run: async ({ now }) => ({ processed: await accounts.purgeThrottles(now) }),
    },
  ];
}
