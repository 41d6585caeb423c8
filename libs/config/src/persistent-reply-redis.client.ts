import { randomBytes } from 'node:crypto';
import { ClientRedis, type OutgoingEvent, type OutgoingRequest, type ReadPacket, type WritePacket } from '@nestjs/microservices';
import { NoReceiverError } from './no-receiver.error';
import { TransportTimeoutError } from './transport-timeout.error';
import { privateReplyPattern, REPLY_ID_FIELD } from './private-reply';
import { quietTransportLogs } from './repeated-log';
import { transportOptionsFromUrl } from './redis-options';
import { corkUntilTurnEnds } from './turn-corked-writes';
import { decodeWire, encodeWire } from './wire-codec';

/** What the reply callback returns (its type asks for a promise; nothing awaits it). */
const ROUTED: Promise<void> = Promise.resolve();

/**
 * The Nest Redis client, except that:
 * - it waits for replies on a channel of its own (see private-reply.ts), named in every request it sends;
 * - it stays subscribed to a reply channel once it has used it. Nest's client unsubscribes whenever no
 *   request is in flight, so a caller making one request at a time pays a SUBSCRIBE round trip before
 *   every request and an UNSUBSCRIBE after it. ioredis re-subscribes on its own after a reconnect, so a
 *   kept subscription survives a Redis restart;
 * - a request whose publish ioredis gives up on fails with that error. ioredis holds the commands written
 *   to a connection that then dies, and rejects them after `maxRetriesPerRequest` reconnection attempts
 *   (about ten seconds here); Nest's client does not catch that rejection, so a Redis that died under
 *   traffic and stayed down that long killed the process with an unhandled rejection;
 * - geokv's callers use `request` (a promise with a deadline) or `dispatch` (a callback and a way to give
 *   up) instead of `send`: every message of every app goes through here, and `send`'s Observable chain
 *   (a deferred connect, a merge, the deadline as an operator, then a promise made of it all) was built
 *   and torn down for each one. Replies are routed synchronously for the same reason;
 * - while Redis is down, its connection errors and "Reconnecting" lines are logged once per ten seconds
 *   (see RepeatedLog), not at every attempt of each connection;
 * - it speaks geokv's binary wire format (wire-codec.ts), as geokv's servers do, instead of JSON;
 * - a request that Redis delivered to no subscriber fails at once with NoReceiverError, instead of waiting
 *   out its deadline for an answer that cannot come (a process killed a moment ago, before membership
 *   marked it down, cost every request sent to it the whole RPC deadline).
 */
export class PersistentReplyRedisClient extends ClientRedis {
  /** Names this client's reply channels; random, so that two processes never share one. */
  readonly replyId = randomBytes(6).toString('hex');
  /** Shared by the publishing and the subscribing connection: one outage, one log. */
  private readonly onConnectionError = quietTransportLogs(this.logger, 'client');

  constructor(options: ConstructorParameters<typeof ClientRedis>[0]) {
    // Replies arrive as the bytes ioredis read: never decoded to a string, since they are not text.
    super({ ...options, returnBuffers: true });
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

  /**
   * One request with a deadline: resolves with the reply; rejects with the replier's error body, a
   * transport failure, or TransportTimeoutError once `timeoutMs` has passed without an answer.
   */
  request<T>(pattern: string, data: unknown, timeoutMs: number): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const deadline = setTimeout(() => {
        giveUp();
        reject(new TransportTimeoutError(`no answer on ${pattern} within ${timeoutMs} ms`));
      }, timeoutMs);
      const giveUp = this.dispatch(pattern, data, (error, response) => {
        clearTimeout(deadline);
        if (error === undefined) resolve(response as T);
        else reject(error);
      });
    });
  }

  /**
   * Sends one request. `settle` is called once, with the reply or with why there is none, unless the
   * returned function is called first: then the request is abandoned and any reply ignored.
   */
  dispatch(pattern: string, data: unknown, settle: (error: unknown, response?: unknown) => void): () => void {
    let done = false;
    let unpublish: (() => void) | undefined;
    /** Ends the request; false if it had already ended. */
    const end = (): boolean => {
      if (done) return false;
      done = true;
      unpublish?.();
      return true;
    };
    const finish = (error: unknown, response?: unknown): void => {
      if (end()) settle(error, response);
    };
    const publish = (): void => {
      if (done) return;
      unpublish = this.publish({ pattern, data }, ({ err, response, isDisposed }) => {
        // Nest's server sends a single answer as one packet; an error, or an end without a value, also ends it.
        if (err !== undefined && err !== null) finish(err);
        else if (response !== undefined) finish(undefined, response);
        else if (isDisposed === true) finish(new Error(`the request on ${pattern} ended without an answer`));
      });
      // publish answers at once when it cannot send, before `unpublish` was set.
      if (done) unpublish();
    };
    this.connect().then(publish, (error: unknown) => finish(error ?? new Error('not connected to Redis')));
    return () => void end();
  }

  /** Nest's callback, without the promise it awaits per reply: replies routed by packet id. */
  override createResponseCallback(): (channel: string, buffer: string) => Promise<void> {
    // Nest types the message as a string; with returnBuffers it is the bytes ioredis read.
    return (_channel: string, buffer: string) => {
      const packet = decodeWire(buffer as unknown as Buffer) as { id?: unknown; err?: unknown; response?: unknown; isDisposed?: boolean } | null;
      if (typeof packet !== 'object' || packet === null || Buffer.isBuffer(packet)) return ROUTED;
      const callback = typeof packet.id === 'string' ? this.routingMap.get(packet.id) : undefined;
      if (callback === undefined) return ROUTED;
      const failed = packet.err !== undefined && packet.err !== null;
      callback({ err: packet.err, response: packet.response, isDisposed: failed || packet.isDisposed === true });
      return ROUTED;
    };
  }

  override registerErrorListener(client: Parameters<ClientRedis['registerErrorListener']>[0]): void {
    client.addListener('error', this.onConnectionError);
  }

  override getReplyPattern(pattern: string): string {
    return super.getReplyPattern(privateReplyPattern(pattern, this.replyId));
  }

  protected override publish(partialPacket: ReadPacket, callback: (packet: WritePacket) => void): () => void {
    try {
      const packet = this.assignPacketId(partialPacket);
      const pattern = this.normalizePattern(partialPacket.pattern);
      const message = encodeWire(this.serializer.serialize(packet));
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
        corkUntilTurnEnds(this.pubClient);
        const channel = this.getRequestPattern(pattern);
        this.pubClient.publish(channel, message).then((receivers: number) => {
          if (receivers === 0) fail(new NoReceiverError(`nothing is subscribed to ${channel}: the request was not delivered`));
        }, fail);
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

  protected override dispatchEvent(packet: ReadPacket): Promise<unknown> {
    return this.pubClient.publish(this.normalizePattern(packet.pattern), encodeWire(this.serializer.serialize(packet))) as Promise<unknown>;
  }

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
