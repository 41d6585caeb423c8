import { Global, Inject, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { redisOptionsFromUrl } from '@geokv/config';
import { REDIS_CLIENT } from './tokens';

/**
 * One command connection to the region's Redis per process. It does not queue commands while
 * disconnected: a caller gets an error at once and can fall back (the cache) or report unready.
 */
@Global()
@Module({})
export class RedisClientModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS_CLIENT) private readonly redis: Redis) {}

  static forUrl(url: string): DynamicModule {
    return {
      module: RedisClientModule,
      providers: [
        {
          provide: REDIS_CLIENT,
          useFactory: () =>
            new Redis({ ...redisOptionsFromUrl(url), enableOfflineQueue: false, maxRetriesPerRequest: 1 }),
        },
      ],
      exports: [REDIS_CLIENT],
    };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}
