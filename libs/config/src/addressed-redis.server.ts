import type { MessageHandler } from '@nestjs/microservices';
import type { transportOptionsFromUrl } from './redis-options';
import { ReplySafeRedisServer } from './reply-safe-redis.server';

/**
 * A Redis transport server for handlers declared with addressed templates (`storage.{node}.write`,
 * `replication.{region}.ship`): it subscribes to them with its own address filled in, so that on the
 * pub/sub transport each process receives only the requests meant for it.
 */
export class AddressedRedisServer extends ReplySafeRedisServer {
  constructor(
    private readonly address: (pattern: string) => string,
    options: ReturnType<typeof transportOptionsFromUrl>,
  ) {
    super(options);
  }

  override addHandler(
    pattern: unknown,
    callback: MessageHandler,
    isEventHandler?: boolean,
    extras?: Record<string, unknown>,
  ): void {
    super.addHandler(typeof pattern === 'string' ? this.address(pattern) : pattern, callback, isEventHandler, extras);
  }
}
