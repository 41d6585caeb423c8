import { Global, Inject, Logger, Module, type DynamicModule, type OnApplicationShutdown } from '@nestjs/common';
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
            reportOutages(new Redis({ ...redisOptionsFromUrl(url), enableOfflineQueue: false, maxRetriesPerRequest: 1 })),
        },
      ],
      exports: [REDIS_CLIENT],
    };
  }

  onApplicationShutdown(): void {
    this.redis.disconnect();
  }
}

/**
 * Logs the start and the end of an outage, once each. ioredis emits an error for every failed reconnect
 * attempt, and with no listener it writes each one to stderr as plain text, between the JSON log lines.
 */
function reportOutages(redis: Redis): Redis {
  const logger = new Logger('RedisClient');
  let down = false;
  redis.on('error', (error: Error) => {
    if (down) return;
    down = true;
    logger.warn(`Redis is unreachable (${error.message}); reconnecting, and readiness reports it down meanwhile`);
  });
  redis.on('ready', () => {
    if (!down) return;
    down = false;
    logger.log('Redis answers again');
  });
  return redis;
}
