import { randomBytes } from 'node:crypto';
import { ClientRedis, type OutgoingEvent, type OutgoingRequest, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import type { CommonConfig } from './common-config';
import { privateReplyPattern, REPLY_ID_FIELD } from './private-reply';
import { transportOptionsFromUrl } from './redis-options';

/**
 * The Nest Redis client, except that:
 * - it waits for replies on a channel of its own (see private-reply.ts), named in every request it sends
 *   (unless the app runs with GEOKV_PRIVATE_REPLIES=off during an upgrade);
 * - it stays subscribed to a reply channel once it has used it. Nest's client unsubscribes whenever no
 *   request is in flight, so a caller making one request at a time pays a SUBSCRIBE round trip before
 *   every request and an UNSUBSCRIBE after it. ioredis re-subscribes on its own after a reconnect, so a
 *   kept subscription survives a Redis restart;
 * - a request whose publish ioredis gives up on fails with that error. ioredis holds the commands written
 *   to a connection that then dies, and rejects them after `maxRetriesPerRequest` reconnection attempts
 *   (about ten seconds here); Nest's client does not catch that rejection, so a Redis that died under
 *   traffic and stayed down that long killed the process with an unhandled rejection.
 */
export class PersistentReplyRedisClient extends ClientRedis {
  /** Names this client's reply channels; random, so that two processes never share one. null: the shared ones. */
  readonly replyId: string | null;

  constructor(options: ConstructorParameters<typeof ClientRedis>[0], privateReplies = true) {
    super(options);
    this.replyId = privateReplies ? randomBytes(6).toString('hex') : null;
    if (this.replyId === null) return;
    const replyId = this.replyId;
    const serializer = this.serializer;
    this.serializer = {
      serialize: (packet: OutgoingEvent | OutgoingRequest) => {
        const serialized = serializer.serialize(packet) as Record<string, unknown>;
        // Only requests (which carry an id) are answered; events go out as they are.
        if ('id' in packet) serialized[REPLY_ID_FIELD] = replyId;
        return serialized;
      },
    };
  }

  override getReplyPattern(pattern: string): string {
    return super.getReplyPattern(this.replyId === null ? pattern : privateReplyPattern(pattern, this.replyId));
  }

  protected override publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    try {
      const packet = this.assignPacketId(partialPacket);
      const pattern = this.normalizePattern(partialPacket.pattern);
      const message = JSON.stringify(this.serializer.serialize(packet));
      const replyChannel = this.getReplyPattern(pattern);
      let abandoned = false;
      const fail = (err: unknown): void => {
        if (this.routingMap.delete(packet.id)) callback({ err });
      };
      const send = (): void => {
        // The caller may have given up (its deadline) while the reply channel was being subscribed.
        if (abandoned) return;
        this.subscriptionsCount.set(replyChannel, (this.subscriptionsCount.get(replyChannel) ?? 0) + 1);
        this.routingMap.set(packet.id, callback);
        this.pubClient.publish(this.getRequestPattern(pattern), message).catch(fail);
      };
      if ((this.subscriptionsCount.get(replyChannel) ?? 0) > 0) send();
      else {
        this.subClient.subscribe(replyChannel).then(send, (err: unknown) => callback({ err }));
      }
      return () => {
        abandoned = true;
        this.unsubscribeFromChannel(replyChannel);
        this.routingMap.delete(packet.id);
      };
    } catch (err) {
      callback({ err });
      return () => undefined;
    }
  }

  protected override unsubscribeFromChannel(channel: string): void {
    const inFlight = this.subscriptionsCount.get(channel) ?? 1;
    // Never below 1: the next request finds the channel subscribed and publishes at once.
    this.subscriptionsCount.set(channel, Math.max(inFlight - 1, 1));
  }
}

/** The Redis-transport client every geokv app uses to send requests and events. */
export function createTransportClient(redisUrl: string, config: Pick<CommonConfig, 'GEOKV_PRIVATE_REPLIES'>): PersistentReplyRedisClient {
  return new PersistentReplyRedisClient(transportOptionsFromUrl(redisUrl), config.GEOKV_PRIVATE_REPLIES === 'on');
}
