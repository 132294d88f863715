export {
  NotificationsService,
  HELD_MAX_LATENESS_MS,
  type OutboxRow,
  type NotificationRow,
  type CancelReason,
  type ReleaseResult,
  type SmsPermission,
  type SmsWindow,
} from './notifications.service';
export { notificationJobs } from './notifications.jobs';
export { OutboxProvider, type MessageProvider, type OutgoingMessage } from './providers';
export {
  smsTemplateLabels,
  smsTemplateLabel,
  outboxChannelLabels,
  outboxStatusLabels,
  cancelReasonLabels,
  messageProviderLabels,
  messageProviderLabel,
  type SmsTemplate,
  type MessageProviderName,
} from './labels';
