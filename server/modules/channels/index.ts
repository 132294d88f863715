export {
  channels,
  channelLinks,
  channelTouches,
  channelAttributions,
  channelPostbacks,
  channelPostbackAttempts,
  channelTypes,
  channelTypeLabels,
  channelStatuses,
  channelStatusLabels,
  postbackStatuses,
  postbackStatusLabels,
  type ChannelType,
  type ChannelStatus,
  type PostbackStatus,
} from './channels.schema';
export { conversionsBetween, conversionKinds, conversionKindLabels, type Conversion, type ConversionKind, type ConversionFilter } from './conversions';
export { ChannelPortal, funnelRows, type FunnelRow, type FunnelGrouping } from './portal';
export {
  ChannelsService,
  TOUCH_DEDUP_MINUTES,
  DEFAULT_ATTRIBUTION_WINDOW_DAYS,
  type ChannelsServiceDeps,
  type ChannelSummary,
  type ChannelView,
  type ChannelLinkView,
  type Landing,
  type TouchInput,
  type AttributionInput,
  type Attribution,
} from './channels.service';
export {
  channelCreateSchema,
  channelPatchSchema,
  channelLinkSchema,
  registrationChannelSchema,
  channelCodeSchema,
  subIdSchema,
  CHANNEL_CODE,
  SUB_ID,
  CLICK_ID,
  type ChannelCreateInput,
  type ChannelPatchInput,
  type ChannelLinkInput,
  type RegistrationChannel,
} from './channels.input';
export {
  POSTBACK_MAX_ATTEMPTS,
  POSTBACK_TRAILING_MS,
  POSTBACK_EVENT_HEADER,
  POSTBACK_ID_HEADER,
  type PostbackBody,
  type PostbackLogEntry,
  type PostbackAttemptView,
  type PostbackRunResult,
} from './postbacks';
export { channelJobs } from './channels.jobs';
