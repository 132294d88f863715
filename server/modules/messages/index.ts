export { MessagesService, ContactRefusedError, type LeadMessage } from './messages.service';
