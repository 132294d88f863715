import type { JobDefinition } from '../../jobs/job';
import type { PostLoanService } from './post-loan.service';
import { SCHEDULE_OFFER_VALID_DAYS, type ScheduleChangesService } from './schedule-changes.service';

/** The loans domain's scheduled work; gathered by server/jobs/registry.ts. */
export function loanJobs(postLoan: PostLoanService, scheduleChanges: ScheduleChangesService): JobDefinition[] {
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
    {
      name: 'loan-schedule-offers',
      title: `展期/重新安排：机构提出的新还款计划 ${SCHEDULE_OFFER_VALID_DAYS} 天未确认即失效`,
      schedule: '15 * * * *',
      run: async ({ now }) => ({ processed: await scheduleChanges.expireOffers(now) }),
    },
  ];
}
