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
