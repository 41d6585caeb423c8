import { ServerRedis, type MessageHandler } from '@nestjs/microservices';
import { transportOptionsFromUrl } from '@geokv/config';
import { addressTo } from '@geokv/protocol';

/**
 * The Redis transport server of one storage node. Handlers are declared with node-addressed templates
 * (`storage.{node}.write`); this server subscribes to them with its own id filled in, so that each node
 * receives only its own requests on the pub/sub transport.
 */
export class NodeAddressedRedisServer extends ServerRedis {
  constructor(
    private readonly nodeId: string,
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
    const addressed = typeof pattern === 'string' ? addressTo(pattern, this.nodeId) : pattern;
    super.addHandler(addressed, callback, isEventHandler, extras);
  }
}
