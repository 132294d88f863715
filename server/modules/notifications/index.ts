export { NotificationsService, type OutboxRow, type NotificationRow } from './notifications.service';
export { OutboxProvider, HttpGatewayProvider, type MessageProvider, type OutgoingMessage } from './providers';
export {
  smsTemplateLabels,
  smsTemplateLabel,
  outboxChannelLabels,
  outboxStatusLabels,
  messageProviderLabels,
  messageProviderLabel,
  type SmsTemplate,
  type MessageProviderName,
} from './labels';
