import type { JobDefinition } from '../../jobs/job';
import type { PostLoanService } from './post-loan.service';

/** The loans domain's scheduled work; gathered by server/jobs/registry.ts. */
export function loanJobs(postLoan: PostLoanService): JobDefinition[] {
  return [
    {
      name: 'loan-reminders',
      title: '到期前 7、3、1 天提醒还款',
      schedule: '0 * * * *',
      run: async ({ now }) => ({ processed: await postLoan.sendReminders(now) }),
    },
    {
      name: 'loan-overdue',
      title: '逾期分级：提醒、电话任务、催收、升级；还款承诺兑现判断',
      schedule: '30 * * * *',
      run: async ({ now }) => {
        const result = await postLoan.stageOverdue(now);
        return { processed: result.marked + result.actions + result.promises, detail: result };
      },
    },
  ];
}
