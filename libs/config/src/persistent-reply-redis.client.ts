import { ClientRedis } from '@nestjs/microservices';
import { transportOptionsFromUrl } from './redis-options';

/**
 * The Nest Redis client, except that it stays subscribed to a reply channel once it has used it. Nest's
 * client unsubscribes whenever no request is in flight, so a caller making one request at a time pays a
 * SUBSCRIBE round trip before every request and an UNSUBSCRIBE after it. ioredis re-subscribes on its own
 * after a reconnect, so a kept subscription survives a Redis restart.
 */
export class PersistentReplyRedisClient extends ClientRedis {
  protected override unsubscribeFromChannel(channel: string): void {
    const inFlight = this.subscriptionsCount.get(channel) ?? 1;
    // Never below 1: the next request finds the channel subscribed and publishes at once.
    this.subscriptionsCount.set(channel, Math.max(inFlight - 1, 1));
  }
}

/** The Redis-transport client every geokv app uses to send requests and events. */
export function createTransportClient(redisUrl: string): PersistentReplyRedisClient {
  return new PersistentReplyRedisClient(transportOptionsFromUrl(redisUrl));
}
