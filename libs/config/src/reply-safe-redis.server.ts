import { Logger } from '@nestjs/common';
import type { RedisContext, ServerRedis, WritePacket } from '@nestjs/microservices';
import { PlainPatternRedisServer } from './plain-pattern-redis.server';
import { privateReplyPattern, replyIdOf } from './private-reply';
import { quietTransportLogs } from './repeated-log';
import { corkUntilTurnEnds } from './turn-corked-writes';

type Publisher = ServerRedis['getPublisher'];

/**
 * Nest's Redis transport server, except that:
 * - it answers a geokv client on the client's own reply channel (see private-reply.ts);
 * - a reply it cannot publish is dropped with a warning instead of crashing the process. ioredis rejects
 *   a publish once the connection is closed, which happens to replies still in flight when the app shuts
 *   down or while Redis restarts; Nest awaits that publish without a catch, so the rejection was
 *   unhandled and killed the app with a non-zero exit. A lost reply is what the transport is designed
 *   around: the requester's deadline covers it;
 * - while Redis is down, its connection errors and "Reconnecting" lines are logged once per ten seconds
 *   (see RepeatedLog), not at every attempt of each connection.
 */
export class ReplySafeRedisServer extends PlainPatternRedisServer {
  private readonly replyLogger = new Logger('RedisTransport');
  /** The reply id of each request between its arrival and Nest asking for its publisher (the same turn). */
  private readonly replyIds = new Map<string, string>();
  /** Shared by the publishing and the subscribing connection: one outage, one log. */
  private readonly onConnectionError = quietTransportLogs(this.logger, 'server');

  constructor(options: ConstructorParameters<typeof PlainPatternRedisServer>[0]) {
    super(options);
    const deserializer = this.deserializer;
    this.deserializer = {
      deserialize: (value: unknown, options?: Record<string, unknown>) => {
        const replyId = replyIdOf(value);
        const id = (value as { id?: unknown } | null)?.id;
        if (replyId !== undefined && typeof id === 'string') this.replyIds.set(id, replyId);
        return deserializer.deserialize(value, options);
      },
    };
  }

  override registerErrorListener(client: { on(event: 'error', listener: (error: unknown) => void): unknown }): void {
    client.on('error', this.onConnectionError);
  }

  override getPublisher(pub: Parameters<Publisher>[0], pattern: string, id: string, context: Parameters<Publisher>[3]): ReturnType<Publisher> {
    const replyId = this.replyIds.get(id);
    this.replyIds.delete(id);
    const publish = super.getPublisher(pub, replyId === undefined ? pattern : privateReplyPattern(pattern, replyId), id, context);
    return async (response: WritePacket) => {
      try {
        corkUntilTurnEnds(pub);
        return (await publish(response)) as unknown;
      } catch (error) {
        this.replyLogger.warn({ err: error, pattern: (context as RedisContext).getChannel() }, 'could not publish a reply; the requester will time out');
        return undefined;
      }
    };
  }
}
