/** The bench's knobs, read once from the environment. */
export interface BenchConfig {
  /** Measured seconds per phase (after a warm-up of WARMUP_SECONDS). */
  seconds: number;
  /** Concurrent HTTP connections, PostgreSQL clients and loops. */
  connections: number;
}

/** Long enough for JIT, connection pools and PostgreSQL's caches to settle before we measure. */
export const WARMUP_SECONDS = 2;
/** PUTs cycle over this many keys: many distinct rows, but a table that stays in shared buffers. */
export const KEY_SPACE = 100_000;
export const VALUE_BYTES = 100;
/** The targets from the issue: geokv's throughput relative to its raw building blocks. */
export const PUT_TARGET_RATIO = 0.5;
export const GET_TARGET_RATIO = 0.3;
export const RSS_TARGET_MB = 250;

export function readBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  return {
    seconds: positiveInt(env, 'BENCH_SECONDS', 10),
    connections: positiveInt(env, 'BENCH_CONNECTIONS', 50),
  };
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
