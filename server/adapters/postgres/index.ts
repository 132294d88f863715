export { listenOnChannel, type ChannelListener, type ChannelListenerOptions } from './channel-listener';
