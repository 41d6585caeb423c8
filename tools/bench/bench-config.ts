/** The bench's knobs, read once from the environment. */
export interface BenchConfig {
  /** Measured seconds per phase (after a warm-up of WARMUP_SECONDS). */
  seconds: number;
  /** Rounds of the throughput part: each measures every phase once, geokv's next to its baselines (see rounds.ts). */
  rounds: number;
  /** Concurrent HTTP connections, PostgreSQL clients and loops. */
  connections: number;
  /** Which parts run: the single-region throughput phases, the three-region replication phases, a node join; any subset. */
  parts: readonly BenchPart[];
  /**
   * `replicas`: the keyspaces the replication part runs in, by replicas per region (3, 1 or both, in order);
   * `storageNodes`: per region, at least the most replicas asked for.
   */
  replication: { rate: number; seconds: number; partitionSeconds: number; delayMs: number; replicas: readonly ReplicationReplicas[]; storageNodes: number };
  /** Keys loaded before a fourth node joins, and the bound on the whole join part once its region is up. */
  join: { keys: number; timeoutSeconds: number };
  /** Strong against eventual keyspaces across three regions: seconds and connections per phase, and the delay of the second round. */
  strong: { seconds: number; connections: number; delayMs: number };
}

export type BenchPart = 'throughput' | 'replication' | 'join' | 'strong';
export type ReplicationReplicas = 1 | 3;
const BENCH_PARTS: readonly BenchPart[] = ['throughput', 'replication', 'join', 'strong'];

/** Long enough for JIT, connection pools and PostgreSQL's caches to settle before we measure. */
export const WARMUP_SECONDS = 2;
/**
 * Unmeasured load on each freshly started system under test (geokv's region, the raw PostgreSQL loops, bare
 * Fastify) before its first measured phase, on top of that phase's own warm-up. A fresh region's first PUT
 * phase measured 25-40% below the next one here; it settles with work (JIT, V8's heap sizing), not time:
 * 40 s idle before it changed nothing.
 */
export const SYSTEM_WARMUP_SECONDS = 8;
/** PUTs cycle over this many keys: many distinct rows, but a table that stays in shared buffers. */
export const KEY_SPACE = 100_000;
export const VALUE_BYTES = 100;
/** The targets from the issue: geokv's throughput relative to its raw building blocks. */
export const PUT_TARGET_RATIO = 0.5;
export const GET_TARGET_RATIO = 0.3;
export const RSS_TARGET_MB = 250;
/** In-region replication's cost: PUT with three replicas (W=2) relative to PUT with one, same region and run. */
export const REPLICATED_PUT_TARGET_RATIO = 0.6;
/** Replication targets: p99 lag within the injected delay plus this, and convergence after a heal within that. */
export const LAG_MARGIN_TARGET_MS = 100;
export const CONVERGENCE_TARGET_MS = 5_000;
/** PUTs in flight while the join part loads its keys: enough to keep the region busy, few enough not to queue for seconds. */
export const JOIN_LOAD_CONCURRENCY = 64;
/** Keys, picked at random among those loaded, read back once the fourth node has joined. */
export const JOIN_VERIFIED_READS = 2_000;
/** The join's progress is only visible while it runs: poll often enough to see it, not so often as to load membership. */
export const JOIN_POLL_MS = 200;
/** With three replicas, a fourth node becomes a replica of about 3/4 of the keys: the share a join should move. */
export const JOIN_EXPECTED_MOVED_SHARE = 0.75;

export function readBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  // One knob for both parts that delay the links, so that their figures describe the same network.
  const linkDelayMs = positiveInt(env, 'BENCH_LINK_DELAY_MS', 50);
  const replicas = replicasOf(env.BENCH_REPLICATION_REPLICAS);
  return {
    seconds: positiveInt(env, 'BENCH_SECONDS', 10),
    rounds: positiveInt(env, 'BENCH_ROUNDS', 3),
    connections: positiveInt(env, 'BENCH_CONNECTIONS', 50),
    parts: partsOf(env.BENCH_PARTS),
    replication: {
      rate: positiveInt(env, 'BENCH_REPLICATION_RATE', 1_000),
      seconds: positiveInt(env, 'BENCH_REPLICATION_SECONDS', 60),
      partitionSeconds: positiveInt(env, 'BENCH_PARTITION_SECONDS', 30),
      delayMs: linkDelayMs,
      replicas,
      storageNodes: storageNodesOf(env, replicas),
    },
    join: {
      keys: positiveInt(env, 'BENCH_JOIN_KEYS', 100_000),
      timeoutSeconds: positiveInt(env, 'BENCH_JOIN_TIMEOUT_SECONDS', 600),
    },
    strong: {
      // Twelve phases share the part: 8 s each keeps it near four minutes with the three regions' startup.
      seconds: positiveInt(env, 'BENCH_STRONG_SECONDS', 8),
      // As many as the throughput part; each on its own key at a time, so that proposals rarely contend.
      connections: positiveInt(env, 'BENCH_STRONG_CONNECTIONS', 50),
      delayMs: linkDelayMs,
    },
  };
}

function partsOf(raw: string | undefined): BenchPart[] {
  if (raw === undefined || raw === '') return [...BENCH_PARTS];
  const parts = raw.split(',').map((part) => part.trim());
  const unknown = parts.filter((part) => !BENCH_PARTS.includes(part as BenchPart));
  if (unknown.length > 0) throw new Error(`BENCH_PARTS takes ${BENCH_PARTS.join(', ')} (comma-separated), got ${JSON.stringify(raw)}`);
  return parts as BenchPart[];
}

function replicasOf(raw: string | undefined): ReplicationReplicas[] {
  if (raw === undefined || raw === '') return [3, 1];
  const replicas = raw.split(',').map((part) => part.trim());
  if (replicas.some((part) => part !== '1' && part !== '3')) {
    throw new Error(`BENCH_REPLICATION_REPLICAS takes 3 and/or 1 (comma-separated), got ${JSON.stringify(raw)}`);
  }
  return replicas.map((part) => Number(part) as ReplicationReplicas);
}

/** Storage nodes per region in the replication part: three, as `npm start` runs, unless told otherwise. */
function storageNodesOf(env: NodeJS.ProcessEnv, replicas: readonly ReplicationReplicas[]): number {
  const nodes = positiveInt(env, 'BENCH_REPLICATION_NODES', 3);
  const needed = Math.max(...replicas);
  if (nodes < needed) throw new Error(`BENCH_REPLICATION_NODES must be at least ${needed} for keyspaces with ${needed} replicas, got ${nodes}`);
  return nodes;
}

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got ${JSON.stringify(raw)}`);
  return value;
}

/** The 100-byte value stored under key number `n`; derived from n so a GET can check it got the right one. */
export function benchValue(n: number): string {
  return `value-of-bench-${n}:`.padEnd(VALUE_BYTES, '.');
}
