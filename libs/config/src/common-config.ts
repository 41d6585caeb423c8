import { Expose } from 'class-transformer';
import { IsIn, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { redisUrlRule } from './url-rules';

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
  @redisUrlRule()
  REDIS_URL = 'redis://127.0.0.1:6379';

  /** Interface for the HTTP port (health, metrics and, on the gateway, the API). Loopback by default. */
  @Expose()
  @IsString()
  HOST = '127.0.0.1';

  @Expose()
  @IsIn(LOG_LEVELS)
  LOG_LEVEL: LogLevel = 'info';

  /**
   * How long one microservice request may take before the caller gives up (and answers 503 TIMEOUT).
   * 5 s: a node commits large values at ~13 MiB/s on the 2-core reference machine, so a burst of 32
   * writes of 1 MiB to one node takes ~2.5 s; a shorter deadline would time out writes that are about to
   * commit. Small requests take milliseconds, and a dead node is marked down within 2.5 s anyway, after
   * which its keys fail fast.
   */
  @Expose()
  @IsInt()
  @Min(50)
  @Max(60_000)
  GEOKV_RPC_TIMEOUT_MS: number = 5_000;

  /**
   * A storage node answers as a strong keys' acceptor only within this long of sending a heartbeat that
   * membership answered with an epoch its view has reached; a replicator rebuilding a lost node's acceptor
   * state waits this long (and a second more) after the rebuild's phase begins. So a node that was frozen or
   * cut off and comes back with an old view cannot vote beside the state rebuilt for its keys. Read by
   * storage nodes and replicators, which must agree on it. 2 s: four heartbeats, so one lost answer never
   * lapses it.
   */
  @Expose()
  @IsInt()
  @Min(100)
  @Max(60_000)
  GEOKV_ACCEPTOR_LEASE_MS: number = 2_000;
}

/** The HTTP port, with the default each app documents. */
export function portRule(): PropertyDecorator {
  return (target, key) => {
    IsInt()(target, key);
    Min(1)(target, key);
    Max(65_535)(target, key);
  };
}
