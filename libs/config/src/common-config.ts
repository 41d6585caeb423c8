import { Expose } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/** Variables every app reads. Each app's config class extends this one. */
export class CommonConfig {
  /** The region this process belongs to; it names actors, metrics and the X-Served-By-Region header. */
  @Expose()
  @Matches(/^[a-z][a-z0-9-]{0,31}$/, { message: 'must be lowercase letters, digits and dashes (e.g. us-east)' })
  GEOKV_REGION = 'us-east';

  /** The region's Redis: the message transport between the apps, and the L2 cache. */
  @Expose()
  @Matches(/^rediss?:\/\/.+/, { message: 'must be a redis:// or rediss:// URL' })
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Interface for the HTTP port (health, metrics and, on the gateway, the API). Loopback by default. */
  @Expose()
  @IsString()
  HOST = '127.0.0.1';

  @Expose()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /**
   * How long one microservice request may take before the caller gives up. 2 s is far above the
   * transport's sub-millisecond round trip and a group commit's few milliseconds, yet short enough that
   * a client sees a 503 well before a typical HTTP client timeout.
   */
  @Expose()
  @IsInt()
  @Min(50)
  @Max(60_000)
  GEOKV_RPC_TIMEOUT_MS: number = 2_000;
}

/** The HTTP port, with the default each app documents. */
export function portRule(): PropertyDecorator {
  return (target, key) => {
    IsInt()(target, key);
    Min(1)(target, key);
    Max(65_535)(target, key);
  };
}
