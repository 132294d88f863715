import type { JobDefinition } from '../../jobs/job';
import type { NotificationsService, SmsPermission } from './notifications.service';

/**
 * The notifications domain's scheduled work; gathered by server/jobs/registry.ts. Quiet hours end
 * on the minute each consumer chose, so held messages are looked at every five minutes.
 */
export function notificationJobs(notifications: NotificationsService, permission: SmsPermission): JobDefinition[] {
  return [
    {
      name: 'sms-release-held',
      title: '静默时段结束后发出暂缓的短信（用户期间关闭短信的取消）',
      schedule: '*/5 * * * *',
      run: async ({ now, signal }) => {
        const result = await notifications.releaseHeld(now, permission, signal);
        return { processed: result.sent + result.failed + result.cancelled + result.postponed, detail: { ...result } };
      },
    },
  ];
}
