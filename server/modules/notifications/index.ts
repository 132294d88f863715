export { NotificationsService, type OutboxRow, type NotificationRow } from './notifications.service';
export { OutboxProvider, HttpGatewayProvider, type MessageProvider, type OutgoingMessage } from './providers';
