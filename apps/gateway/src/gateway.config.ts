import { Expose } from 'class-transformer';
import { IsInt, Max, Min } from 'class-validator';
import { CommonConfig, peersRule, portRule, problemRule } from '@geokv/config';
import { apiKeysProblem } from './auth/api-keys';

/** A comma-separated list of API keys (see apiKeysProblem); the message never quotes a key. */
const apiKeysRule = problemRule('isApiKeyList', apiKeysProblem);

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
   * How often the gateway asks membership for the ring and the catalog. Membership publishes both on every
   * change, and every 2 s re-publishes the ring and announces the catalog's version (the transport is
   * lossy); the poll is the last resort if those broadcasts stop reaching the gateway.
   */
  @Expose()
  @IsInt()
  @Min(100)
  GEOKV_RING_POLL_INTERVAL_MS: number = 10_000;

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

  /**
   * How long a read waits for its key's first replica before asking the next one too (the first answer
   * wins). A replica that stalls (paused, its database hung) still looks alive until membership marks it
   * down, and without this each read it coordinates waits out the RPC deadline (5 s). 250 ms is several
   * times a GET's p99 under the benchmark's load (20-40 ms), so a healthy region sends almost no second
   * requests. 0: ask the next replica only when the first fails.
   */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(60_000)
  GEOKV_READ_HEDGE_MS: number = 250;

  /**
   * API keys for the key-value API and reading keyspaces (`Authorization: Bearer <key>`), comma-separated.
   * With this or GEOKV_ADMIN_API_KEYS set, every request to /v1 needs a key; with neither, none does (a
   * local cluster, or one behind its own authentication). Keys are never logged, nor shown in errors.
   */
  @Expose()
  @apiKeysRule()
  GEOKV_API_KEYS = '';

  /** API keys that may also use the admin API (/v1/admin) and define or delete keyspaces. */
  @Expose()
  @apiKeysRule()
  GEOKV_ADMIN_API_KEYS = '';

  /**
   * The peer regions' Redis (`eu-west=redis://10.0.1.5:6379,...`, as the replicator's GEOKV_PEERS): a
   * strong keyspace's proposer sends its CASPaxos phases to each peer's acceptors over it. Empty: this
   * region is alone, and is its own majority.
   */
  @Expose()
  @peersRule()
  GEOKV_PEERS = '';

  /**
   * How long a CASPaxos phase waits for a majority of regions. A phase ends as soon as a majority answers,
   * so this only bounds how long a region cut off from the others takes to answer 503 NO_QUORUM. 1 s is
   * several round trips between distant regions (~150-300 ms) with room for a busy acceptor.
   */
  @Expose()
  @IsInt()
  @Min(50)
  @Max(60_000)
  GEOKV_STRONG_PHASE_TIMEOUT_MS: number = 1_000;

  /**
   * How long a strong operation keeps retrying when concurrent proposals on its key outbid it, before it
   * answers 503 CONTENDED (or OUTCOME_UNKNOWN if it got as far as an accept). 5 s rides out bursts of
   * contention on a hot key without holding a client much longer than a typical HTTP timeout.
   */
  @Expose()
  @IsInt()
  @Min(100)
  @Max(120_000)
  GEOKV_STRONG_DEADLINE_MS: number = 5_000;

  /**
   * The first retry after an outbid round waits up to this long (random, doubling each time). About one
   * in-region round trip: enough to break a tie between two proposers in one region.
   */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(10_000)
  GEOKV_STRONG_BACKOFF_BASE_MS: number = 10;

  /** The longest pause between retries: a few round trips between regions, so a duel settles quickly. */
  @Expose()
  @IsInt()
  @Min(1)
  @Max(60_000)
  GEOKV_STRONG_BACKOFF_CAP_MS: number = 400;

  /**
   * Bytes of values this gateway keeps with the ballots it holds for strong keys: after each write, the
   * acceptors promise this gateway its next ballot, and the next operation on the key from here skips the
   * prepare (one round trip between regions instead of two) unless another proposer used the key since.
   * Least recently used keys go first past the bound; 0 turns holding off (every operation prepares).
   */
  @Expose()
  @IsInt()
  @Min(0)
  @Max(1_073_741_824)
  GEOKV_STRONG_HELD_BYTES: number = 16 * 1_048_576;
}
