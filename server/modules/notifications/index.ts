export {
  NotificationsService,
  HELD_MAX_LATENESS_MS,
  outboxStatusLabels,
  cancelReasonLabels,
  type OutboxRow,
  type NotificationRow,
  type CancelReason,
  type ReleaseResult,
  type SmsPermission,
  type SmsWindow,
} from './notifications.service';
export { notificationJobs } from './notifications.jobs';
export { OutboxProvider, HttpGatewayProvider, type MessageProvider, type OutgoingMessage } from './providers';
