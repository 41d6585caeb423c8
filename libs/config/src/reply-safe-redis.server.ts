import { Logger } from '@nestjs/common';
import type { RedisContext, ServerRedis } from '@nestjs/microservices';
import { PlainPatternRedisServer } from './plain-pattern-redis.server';

type Publisher = ServerRedis['getPublisher'];

/**
 * Nest's Redis transport server, except that a reply it cannot publish is dropped with a warning instead
 * of crashing the process. ioredis rejects a publish once the connection is closed, which happens to
 * replies still in flight when the app shuts down or while Redis restarts; Nest awaits that publish
 * without a catch, so the rejection was unhandled and killed the app with a non-zero exit. A lost reply
 * is what the transport is designed around: the requester's deadline covers it.
 */
export class ReplySafeRedisServer extends PlainPatternRedisServer {
  private readonly replyLogger = new Logger('RedisTransport');

  override getPublisher(...args: Parameters<Publisher>): ReturnType<Publisher> {
    const publish = super.getPublisher(...args);
    return async (response: unknown) => {
      try {
        return (await publish(response)) as unknown;
      } catch (error) {
        this.replyLogger.warn({ err: error, pattern: (args[3] as RedisContext).getChannel() }, 'could not publish a reply; the requester will time out');
        return undefined;
      }
    };
  }
}
