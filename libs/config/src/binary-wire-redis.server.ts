import { Logger } from '@nestjs/common';
import { ServerRedis, type RedisContext, type WritePacket } from '@nestjs/microservices';
import type { Redis } from 'ioredis';
import { decodeWire, encodeWire } from './wire-codec';

/**
 * Nest's Redis transport server, speaking geokv's binary wire format (wire-codec.ts) instead of JSON: it
 * takes each message as the bytes ioredis read (never decoded to a string) and publishes each answer as
 * MessagePack. Routing, handlers and hooks are Nest's.
 */
export class BinaryWireRedisServer extends ServerRedis {
  private readonly subscribeLogger = new Logger('RedisTransport');

  override bindEvents(subClient: Redis, pubClient: Redis): void {
    subClient.on('messageBuffer', (channel: Buffer, message: Buffer) => {
      const name = channel.toString();
      void this.handleMessage(name, message as unknown as string, pubClient, name);
    });
    for (const [pattern, { isEventHandler }] of this.messageHandlers) {
      const channel = isEventHandler ? pattern : this.getRequestPattern(pattern);
      subClient.subscribe(channel).catch((error: unknown) => this.subscribeLogger.error({ err: error, channel }, 'could not subscribe'));
    }
  }

  override parseMessage(content: Buffer): Record<string, unknown> {
    return decodeWire(content) as Record<string, unknown>;
  }

  override getPublisher(pub: Redis, pattern: string, id: string, context: RedisContext): (response: WritePacket) => Promise<number> {
    return (response: WritePacket) => {
      const outgoing = this.serializer.serialize(Object.assign(response, { id })) as unknown;
      this.onProcessingEndHook?.(this.transportId!, context);
      return pub.publish(this.getReplyPattern(pattern), encodeWire(outgoing));
    };
  }
}
