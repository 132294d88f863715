import type { RedisClient } from './index';

/** An open subscription to one Redis channel. */
export interface RedisSubscription {
  close(): Promise<void>;
}

/**
 * Publishes to and subscribes on a Redis channel (pub/sub fans a message out to every instance).
 * The subscriber is a connection of its own (a subscribed connection can do nothing else); it
 * reconnects as the shared client does, and `onMessage` is called with nothing after each
 * reconnection, so the caller catches up on what it may have missed.
 */
export async function subscribeRedis(client: RedisClient, channel: string, onMessage: (message?: string) => void): Promise<RedisSubscription> {
  const subscriber = client.duplicate();
  let connected = false;
  subscriber.on('error', () => undefined); // reconnects on its own; the shared client reports outages
  subscriber.on('ready', () => {
    if (connected) onMessage();
    connected = true;
  });
  await subscriber.connect();
  await subscriber.subscribe(channel, (message) => onMessage(message));
  return {
    close: async () => {
      await subscriber.close().catch(() => undefined);
    },
  };
}

/** Sends `message` to every subscriber of `channel`, on every instance. */
export async function publishRedis(client: RedisClient, channel: string, message: string): Promise<void> {
  await client.publish(channel, message);
}
