import { benchValue, JOIN_LOAD_CONCURRENCY } from './bench-config';
import { runBounded } from './bounded-pool';
import { benchKeyPath } from './kv-requests';

/** Far above a healthy PUT or GET here, even with the region busy streaming; well under the part's budget. */
const REQUEST_TIMEOUT_MS = 10_000;
/** Reads in flight while checking the sample: quick, without loading the region the way the load did. */
const VERIFY_CONCURRENCY = 16;

export interface LoadedKeys {
  /** stored[n] is 1 once bench-<n> was acknowledged. */
  stored: Uint8Array;
  ok: number;
  failed: number;
  seconds: number;
  firstError: string | undefined;
}

export interface SampleCheck {
  checked: number;
  /** Not 200, or a body other than the value written. */
  wrong: number;
  firstProblem: string | undefined;
}

/**
 * PUTs bench-0 .. bench-<count - 1> into `keyspace`, JOIN_LOAD_CONCURRENCY in flight (fetch: exact
 * per-key accounting, which the sample check needs). Failures are counted, not retried.
 */
export async function loadKeys(gatewayUrl: string, keyspace: string, count: number, deadline: number): Promise<LoadedKeys> {
  const loaded: LoadedKeys = { stored: new Uint8Array(count), ok: 0, failed: 0, seconds: 0, firstError: undefined };
  const started = performance.now();
  await runBounded(`loading ${count} keys`, count, JOIN_LOAD_CONCURRENCY, deadline, async (n) => {
    try {
      const response = await fetch(`${gatewayUrl}${benchKeyPath(keyspace, n)}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        body: benchValue(n),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      });
      // Read to the end even when empty, so that undici hands the connection back for reuse.
      const body = await response.text();
      if (response.ok) {
        loaded.stored[n] = 1;
        loaded.ok++;
      } else {
        loaded.failed++;
        loaded.firstError ??= `${response.status} ${body.slice(0, 200)}`;
      }
    } catch (error) {
      loaded.failed++;
      loaded.firstError ??= error instanceof Error ? error.message : String(error);
    }
  });
  loaded.seconds = (performance.now() - started) / 1000;
  return loaded;
}

/** Reads back up to `count` acknowledged keys picked at random, and counts those missing or wrong. */
export async function checkSample(gatewayUrl: string, keyspace: string, stored: Uint8Array, count: number, deadline: number): Promise<SampleCheck> {
  const sample = randomSample(acknowledged(stored), count);
  const check: SampleCheck = { checked: sample.length, wrong: 0, firstProblem: undefined };
  await runBounded(`reading back ${sample.length} keys`, sample.length, VERIFY_CONCURRENCY, deadline, async (i) => {
    const n = sample[i];
    const problem = await readProblem(`${gatewayUrl}${benchKeyPath(keyspace, n)}`, benchValue(n));
    if (problem === undefined) return;
    check.wrong++;
    check.firstProblem ??= `bench-${n}: ${problem}`;
  });
  return check;
}

/** What is wrong with the value at `url`, or undefined if it is `expected`. */
async function readProblem(url: string, expected: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    const body = await response.text();
    if (response.status !== 200) return `${response.status} ${body.slice(0, 200)}`;
    return body === expected ? undefined : `read ${JSON.stringify(body.slice(0, 40))}...`;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

function acknowledged(stored: Uint8Array): number[] {
  const keys: number[] = [];
  stored.forEach((flag, n) => {
    if (flag === 1) keys.push(n);
  });
  return keys;
}

/** `count` distinct elements of `items` (all of them if fewer), by a partial Fisher-Yates shuffle; reorders `items`. */
export function randomSample<T>(items: T[], count: number, random: () => number = Math.random): T[] {
  const size = Math.min(count, items.length);
  for (let i = 0; i < size; i++) {
    const j = i + Math.floor(random() * (items.length - i));
    [items[i], items[j]] = [items[j], items[i]];
  }
  return items.slice(0, size);
}
