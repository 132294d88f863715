export {
  DeskService,
  deskStatusLabels,
  type DeskParty,
  type DeskAgent,
  type DeskConversationView,
  type AgentConversationView,
  type DeskMessageView,
  type DeskGroupView,
  type DeskReport,
  type OpenInput,
  STREAM_REFRESH_MS,
  conversationLink,
} from './desk.service';
export { DeskLive, deskTransport, type DeskSignal, type DeskListener } from './desk.live';
export { cannedVariables, renderCanned, conversationNumber } from './canned-replies';
export { minuteText, parseMinute } from './roster';
export { deskConversationStatuses, type DeskConversationStatus } from './desk.schema';
