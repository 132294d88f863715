export {
  channels,
  channelLinks,
  channelTouches,
  channelAttributions,
  channelTypes,
  channelTypeLabels,
  channelStatuses,
  channelStatusLabels,
  type ChannelType,
  type ChannelStatus,
} from './channels.schema';
export { conversionsBetween, conversionKinds, conversionKindLabels, type Conversion, type ConversionKind, type ConversionFilter } from './conversions';
export { ChannelPortal, funnelRows, type FunnelRow, type FunnelGrouping } from './portal';
