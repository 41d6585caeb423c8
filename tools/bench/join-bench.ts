import { setTimeout as sleep } from 'node:timers/promises';
import { databaseUrl, withAdmin, type RunningRegion } from '@geokv/test-support';
import { JOIN_POLL_MS, JOIN_VERIFIED_READS } from './bench-config';
import { createKeyspace, THREE_REPLICAS, type BenchKeyspace } from './bench-keyspaces';
import { checkSample, loadKeys, type LoadedKeys, type SampleCheck } from './join-keys';
import { JoinWatch, type JoinProgress, type RingSummary } from './join-watch';

export interface JoinBenchConfig {
  readonly keys: number;
  /** Bounds the whole part, from the keyspace's creation to the last read of the sample. */
  readonly timeoutSeconds: number;
}

export interface JoinResult {
  readonly keyspace: BenchKeyspace;
  readonly nodeId: string;
  readonly load: Omit<LoadedKeys, 'stored'>;
  /** From POST /v1/admin/nodes to the first view of the ring with the join done. */
  readonly joinMs: number;
  readonly progress: JoinProgress;
  /**
   * Keys of the keyspace the new node holds once it is a member: nothing is written during the join, so
   * each was moved to it. Counted in its shard, unlike the ring's progress, which is gone once the join is.
   */
  readonly keysHeld: number;
  /** The new node's share of the hash space once it is a member. */
  readonly ownership: number;
  readonly sample: SampleCheck;
}

const NEW_NODE = 'n4';

/**
 * On a three-node region: loads `keys` keys into a keyspace with three replicas, starts a fourth storage
 * node on database `<databasePrefix>_n4`, joins it, times the rebalance, and reads back a sample.
 */
export async function runJoinBench(region: RunningRegion, databasePrefix: string, config: JoinBenchConfig): Promise<JoinResult> {
  const deadline = performance.now() + config.timeoutSeconds * 1000;
  const gatewayUrl = region.gatewayUrl;
  const keyspace = THREE_REPLICAS;
  await createKeyspace(gatewayUrl, keyspace);
  console.log(`join: loading ${config.keys} keys into ${keyspace.name}...`);
  const { stored, ...load } = await loadKeys(gatewayUrl, keyspace.name, config.keys, deadline);
  console.log(`join: loaded ${load.ok} keys in ${load.seconds.toFixed(1)} s, ${load.failed} failed; starting ${NEW_NODE}...`);

  await region.addStorageNode(NEW_NODE, databasePrefix);
  await pollRing(gatewayUrl, deadline, `${NEW_NODE} to register as a standby`, (ring) =>
    ring.nodes.some((node) => node.id === NEW_NODE && node.role === 'standby'),
  );

  const watch = new JoinWatch(NEW_NODE);
  const requested = performance.now();
  const answer = await fetch(`${gatewayUrl}/v1/admin/nodes`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ nodeId: NEW_NODE }),
    signal: AbortSignal.timeout(10_000),
  });
  const answerText = await answer.text();
  if (answer.status !== 202) throw new Error(`POST /v1/admin/nodes answered ${answer.status}: ${answerText}`);
  const started = JSON.parse(answerText) as RingSummary;
  const joined = watch.observe(started, performance.now() - requested)
    ? started
    : await pollRing(gatewayUrl, deadline, `the join of ${NEW_NODE} to finish`, (ring) => watch.observe(ring, performance.now() - requested));
  const joinMs = performance.now() - requested;
  console.log(`join: ${NEW_NODE} joined in ${(joinMs / 1000).toFixed(2)} s; reading back a sample...`);

  const keysHeld = await distinctKeys(databaseUrl(`${databasePrefix}_${NEW_NODE}`), keyspace.name);
  const sample = await checkSample(gatewayUrl, keyspace.name, stored, JOIN_VERIFIED_READS, deadline);
  const ownership = joined.nodes.find((node) => node.id === NEW_NODE)?.ownership ?? 0;
  return { keyspace, nodeId: NEW_NODE, load, joinMs, progress: watch.progress, keysHeld, ownership, sample };
}

async function distinctKeys(shardUrl: string, keyspace: string): Promise<number> {
  const { rows } = await withAdmin(shardUrl, (client) =>
    client.query<{ count: string }>('SELECT count(DISTINCT key) AS count FROM versions WHERE keyspace = $1', [keyspace]),
  );
  return Number(rows[0].count);
}

/**
 * Reads GET /v1/admin/ring every JOIN_POLL_MS until `done` accepts a view, and returns that view. A failed
 * read is retried (the gateway may be busy with the rebalance); past the deadline it throws, with the last
 * failure if there was one.
 */
async function pollRing(gatewayUrl: string, deadline: number, what: string, done: (ring: RingSummary) => boolean): Promise<RingSummary> {
  let lastFailure = '';
  for (;;) {
    const ring = await readRing(gatewayUrl).catch((error: unknown) => {
      lastFailure = error instanceof Error ? error.message : String(error);
      return null;
    });
    if (ring !== null && done(ring)) return ring;
    if (performance.now() > deadline) throw new Error(`gave up waiting for ${what}${lastFailure === '' ? '' : ` (last failure: ${lastFailure})`}`);
    await sleep(JOIN_POLL_MS);
  }
}

async function readRing(gatewayUrl: string): Promise<RingSummary> {
  const response = await fetch(`${gatewayUrl}/v1/admin/ring`, { signal: AbortSignal.timeout(5_000) });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET /v1/admin/ring answered ${response.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text) as RingSummary;
}
