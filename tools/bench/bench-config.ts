/** The bench's knobs, read once from the environment. */
export interface BenchConfig {
  /** Measured seconds per phase (after a warm-up of WARMUP_SECONDS). */
  seconds: number;
  /** Concurrent HTTP connections, PostgreSQL clients and loops. */
  connections: number;
  /** Which parts run: the single-region throughput phases, the three-region replication phases, or both. */
  parts: readonly BenchPart[];
  replication: { rate: number; seconds: number; partitionSeconds: number; delayMs: number };
}

export type BenchPart = 'throughput' | 'replication';
const BENCH_PARTS: readonly BenchPart[] = ['throughput', 'replication'];

/** Long enough for JIT, connection pools and PostgreSQL's caches to settle before we measure. */
export const WARMUP_SECONDS = 2;
/** PUTs cycle over this many keys: many distinct rows, but a table that stays in shared buffers. */
export const KEY_SPACE = 100_000;
export const VALUE_BYTES = 100;
/** The targets from the issue: geokv's throughput relative to its raw building blocks. */
export const PUT_TARGET_RATIO = 0.5;
export const GET_TARGET_RATIO = 0.3;
export const RSS_TARGET_MB = 250;
/** Replication targets: p99 lag within the injected delay plus this, and convergence after a heal within that. */
export const LAG_MARGIN_TARGET_MS = 100;
export const CONVERGENCE_TARGET_MS = 5_000;

export function readBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  return {
    seconds: positiveInt(env, 'BENCH_SECONDS', 10),
    connections: positiveInt(env, 'BENCH_CONNECTIONS', 50),
    parts: partsOf(env.BENCH_PARTS),
    replication: {
      rate: positiveInt(env, 'BENCH_REPLICATION_RATE', 1_000),
      seconds: positiveInt(env, 'BENCH_REPLICATION_SECONDS', 60),
      partitionSeconds: positiveInt(env, 'BENCH_PARTITION_SECONDS', 30),
      delayMs: positiveInt(env, 'BENCH_LINK_DELAY_MS', 50),
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
