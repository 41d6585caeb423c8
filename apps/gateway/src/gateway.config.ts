import { Expose } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig, portRule } from '@geokv/config';

export class GatewayConfig extends CommonConfig {
  /** The HTTP API port. */
  @Expose()
  @portRule()
  PORT: number = 8080;

  /** Largest value a PUT may carry; larger bodies get 413. 1 MiB, as in the API contract. */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(64 * 1_048_576)
  GEOKV_MAX_VALUE_BYTES: number = 1_048_576;

  /**
   * How often the gateway asks membership for the ring and the catalog. Changes are also pushed as events;
   * the poll only bounds how stale a gateway can be after it missed one (the transport is lossy).
   */
  @Expose()
  @IsInt()
  @Min(100)
  GEOKV_RING_POLL_INTERVAL_MS: number = 2_000;

  /**
   * How long a GET that carries X-Causal-Context waits for this region to hold a version that descends it
   * (a write made in another region, still replicating) before answering 503 STALE_REPLICA. Replication
   * between regions takes milliseconds plus the link's latency, so 2 s covers a healthy link with room to
   * spare while bounding what a client waits when the link is down.
   */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(60_000)
  GEOKV_READ_YOUR_WRITES_WAIT_MS: number = 2_000;
}
