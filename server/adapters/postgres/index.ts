export { listenOnChannel, type ChannelListener, type ChannelListenerOptions, type OnNotify } from './channel-listener';
