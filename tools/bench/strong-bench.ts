import type { MultiRegionCluster } from '@geokv/test-support';
import { createKeyspace, STRONG, THREE_REPLICAS, waitForKeyspace, type BenchKeyspace } from './bench-keyspaces';
import { FailureCodes } from './failure-codes';
import { runHttpLoad, type HttpLoad } from './http-load';
import { BenchKeys } from './kv-requests';
import { measureLinkRttMs } from './link-rtt';
import type { PhaseResult } from './phase-result';
import type { KeyspacePhases } from './replica-comparison';
import { waitUntilDelivered } from './replication-bench';
import { warmUp } from './warm-up';

export interface StrongBenchConfig {
  /** Measured seconds per phase. */
  readonly seconds: number;
  /** Connections of every loaded phase, each with one request in flight. */
  readonly connections: number;
  /** Injected per direction on every link between regions in the second round. */
  readonly delayMs: number;
}

export interface LinkRtt {
  readonly from: string;
  readonly to: string;
  /** Median of sequential Redis PINGs through the proxy's link. */
  readonly ms: number;
}

/** The phases under one setting of the links: eventual and strong PUT and GET under load, and strong at light load. */
export interface StrongRound {
  /** Per direction on every link between regions; 0 for none. */
  readonly delayMs: number;
  /** The load region's links to its peers, measured at the start of the round. */
  readonly linkRtts: readonly LinkRtt[];
  readonly eventual: KeyspacePhases;
  readonly strong: KeyspacePhases;
  /** Strong PUT and GET with LIGHT_LOAD_CONNECTIONS: the protocol's latency, without queueing for the cores. */
  readonly strongLight: KeyspacePhases;
  /** Strong PUTs with LIGHT_LOAD_CONNECTIONS, each connection rewriting a key of its own: the held ballots' path. */
  readonly strongOwnKeys: PhaseResult;
  /** Strong PUTs from every loaded connection to one key: the rounds its operations share. */
  readonly strongOneKey: PhaseResult;
}

export interface StrongBenchResult {
  /** The region whose gateway received the load. */
  readonly region: string;
  readonly regions: readonly string[];
  readonly storageNodesPerRegion: number;
  readonly connections: number;
  readonly lightConnections: number;
  readonly seconds: number;
  readonly healthy: StrongRound;
  readonly delayed: StrongRound;
}

/** The region whose gateway proposes every strong operation; its writes to eventual keyspaces stay there. */
const LOAD_REGION = 'us-east';
/**
 * The eventual keyspace to compare with: N=3 with majority quorums, spelled out as in the throughput part,
 * so that it stores as many copies in the load region as the region has storage nodes.
 */
const EVENTUAL: BenchKeyspace = { ...THREE_REPLICAS, label: 'eventual N=3' };
/**
 * Connections of the light-load strong phases. Under load the two cores are saturated and a closed loop's
 * latency is mostly waiting for them (connections / throughput), whatever the links do; with a few
 * connections it is the protocol's round trips. Four rather than one, for a p99 over more than a hundred
 * samples even with the delay; no more than the gateway's messages in flight per peer (4), so that none
 * waits for a slot.
 */
const LIGHT_LOAD_CONNECTIONS = 4;
/** Read back sequentially after each loaded GET phase: with the delay each costs a round trip or two, so few. */
const VERIFIED_READS = 100;
/** The catalog reaches the peer regions asynchronously; far longer than that takes on loopback. */
const KEYSPACE_VISIBLE_TIMEOUT_MS = 30_000;
/** Eventual writes still shipping to the peers after a phase; on loopback this takes seconds, not minutes. */
const DELIVERY_TIMEOUT_MS = 120_000;
/**
 * Unmeasured PUTs and GETs on each keyspace before the first round, on top of every phase's own warm-up: the
 * eighteen fresh processes (JIT) and fresh shards (PostgreSQL's caches and plans) took longer than that
 * to settle here, and the first round's eventual PUT came out at about half the second round's.
 */
const CLUSTER_WARMUP_SECONDS = 6;

/**
 * Strong against eventual keyspaces, from one region's gateway: PUT then GET phases on each under load,
 * and strong ones at light load, first with healthy links, then with `delayMs` on every link between
 * regions, where a strong write should cost two round trips between regions and an eventual one none.
 */
export async function runStrongBench(cluster: MultiRegionCluster, config: StrongBenchConfig): Promise<StrongBenchResult> {
  const gatewayUrl = cluster.region(LOAD_REGION).gatewayUrl;
  for (const keyspace of [EVENTUAL, STRONG]) {
    await createKeyspace(gatewayUrl, keyspace);
    for (const region of cluster.regions.values()) await waitForKeyspace(region.gatewayUrl, keyspace, KEYSPACE_VISIBLE_TIMEOUT_MS);
  }
  for (const keyspace of [EVENTUAL, STRONG]) await warmUp(gatewayUrl, keyspace, config.connections, CLUSTER_WARMUP_SECONDS);
  const healthy = await round(cluster, config, 0);
  cluster.proxy.setAll({ delayMs: config.delayMs, blackhole: false });
  let delayed: StrongRound;
  try {
    delayed = await round(cluster, config, config.delayMs);
  } finally {
    cluster.proxy.healAll();
  }
  return {
    region: LOAD_REGION,
    regions: [...cluster.regions.keys()],
    storageNodesPerRegion: cluster.region(LOAD_REGION).storageNodes.length,
    connections: config.connections,
    lightConnections: LIGHT_LOAD_CONNECTIONS,
    seconds: config.seconds,
    healthy,
    delayed,
  };
}

async function round(cluster: MultiRegionCluster, config: StrongBenchConfig, delayMs: number): Promise<StrongRound> {
  const linkRtts: LinkRtt[] = [];
  for (const to of cluster.regions.keys()) {
    if (to !== LOAD_REGION) linkRtts.push({ from: LOAD_REGION, to, ms: await measureLinkRttMs(cluster.proxy.link(LOAD_REGION, to).listen.port) });
  }
  console.log(`strong, ${delayMs} ms per direction: link RTT ${linkRtts.map((link) => `${link.from}→${link.to} ${link.ms.toFixed(1)} ms`).join(', ')}`);
  const loaded = { connections: config.connections, seconds: config.seconds, delayMs, light: false };
  const eventual = await keyspacePhases(cluster, EVENTUAL, loaded);
  const strong = await keyspacePhases(cluster, STRONG, loaded);
  const strongLight = await keyspacePhases(cluster, STRONG, { ...loaded, connections: LIGHT_LOAD_CONNECTIONS, light: true });
  const strongOwnKeys = await ownKeyPhase(cluster, STRONG, config.seconds, delayMs);
  const strongOneKey = await oneKeyPhase(cluster, STRONG, config, delayMs);
  return { delayMs, linkRtts, eventual, strong, strongLight, strongOwnKeys, strongOneKey };
}

/**
 * Light-load PUTs, each connection to a key of its own: after its first, every write of a key finds the
 * ballot the gateway holds for it, and should cost one round trip between regions instead of two.
 */
function ownKeyPhase(cluster: MultiRegionCluster, keyspace: BenchKeyspace, seconds: number, delayMs: number): Promise<PhaseResult> {
  const phase = { name: `${keyspace.label} PUT, own key per connection, light load`, connections: LIGHT_LOAD_CONNECTIONS, seconds, delayMs, prefix: 'own' };
  return keyedPutPhase(cluster, keyspace, phase, (keys) => keys.ownKeyPutRequests());
}

/**
 * Loaded PUTs, every connection to the same key: the gateway runs the key's operations one round at a time,
 * those that arrive meanwhile together in the next, so each round carries many and none outbids another.
 */
function oneKeyPhase(cluster: MultiRegionCluster, keyspace: BenchKeyspace, config: StrongBenchConfig, delayMs: number): Promise<PhaseResult> {
  const phase = { name: `${keyspace.label} PUT, one key for all connections`, connections: config.connections, seconds: config.seconds, delayMs, prefix: 'one' };
  return keyedPutPhase(cluster, keyspace, phase, (keys) => keys.oneKeyPutRequests());
}

/** A PUT phase on keys of its own (`d<delay>-<prefix>-<n>`), none written before, with the requests `requestsOf` makes. */
async function keyedPutPhase(
  cluster: MultiRegionCluster,
  keyspace: BenchKeyspace,
  phase: { name: string; connections: number; seconds: number; delayMs: number; prefix: string },
  requestsOf: (keys: BenchKeys) => NonNullable<HttpLoad['requests']>,
): Promise<PhaseResult> {
  const failures = new FailureCodes();
  const keys = new BenchKeys(keyspace.name, failures, `d${phase.delayMs}-${phase.prefix}`);
  const load = { name: phase.name, url: cluster.region(LOAD_REGION).gatewayUrl, connections: phase.connections, seconds: phase.seconds, failures };
  return logged(await runHttpLoad({ ...load, requests: requestsOf(keys) }), phase.delayMs);
}

/**
 * A PUT phase, each request to a key no phase wrote before, then a GET phase over the keys it stored, round
 * robin: the connections' requests are always on distinct keys, so strong proposals do not contend with
 * each other and what is measured is the protocol's cost, not its retries. (A GET finds the ballot the
 * gateway holds from the PUT, and takes one round trip, as a read of an agreed value does without it.)
 */
async function keyspacePhases(
  cluster: MultiRegionCluster,
  keyspace: BenchKeyspace,
  { connections, seconds, delayMs, light }: { connections: number; seconds: number; delayMs: number; light: boolean },
): Promise<KeyspacePhases> {
  const gatewayUrl = cluster.region(LOAD_REGION).gatewayUrl;
  // Counted for GETs too, although that makes autocannon capture their bodies: a strong 503 says little without its code.
  const failures = new FailureCodes();
  // Keys no earlier phase wrote: a key this gateway wrote last would take one round trip (a held ballot), not two.
  const keys = new BenchKeys(keyspace.name, failures, `d${delayMs}-${light ? 'light' : 'loaded'}`);
  const load = (operation: string): Omit<HttpLoad, 'requests'> => ({
    name: `${keyspace.label} ${operation}${light ? ', light load' : ''}`,
    url: gatewayUrl,
    connections,
    seconds,
    failures,
  });
  // Eventual writes ship to the peers in the background; the next phase should not share the cores with that.
  await waitUntilDelivered(cluster, DELIVERY_TIMEOUT_MS);
  const put = logged(await runHttpLoad({ ...load('PUT'), requests: keys.putRequests() }), delayMs);
  await waitUntilDelivered(cluster, DELIVERY_TIMEOUT_MS);
  const got = await runHttpLoad({ ...load('GET'), requests: keys.getRequests() });
  // The loaded phases check what they read back; the light ones, there for latency, would spend seconds on it with the delay.
  if (!light) await keys.verifySample(gatewayUrl, VERIFIED_READS);
  const get = logged({ ...got, wrongBodies: keys.wrongBodies }, delayMs);
  return { keyspace, put, get };
}

function logged(result: PhaseResult, delayMs: number): PhaseResult {
  const failed = (result.non2xx ?? 0) + result.errors + result.timeouts;
  console.log(
    `${result.name}, ${delayMs} ms per direction: ${result.okPerSecond.toFixed(0)} ok/s, p50 ${result.p50Ms.toFixed(2)} ms, ` +
      `p99 ${result.p99Ms.toFixed(2)} ms, ${failed} failed${result.notes === '' ? '' : ` (${result.notes})`}, ${result.wrongBodies} wrong bodies`,
  );
  return result;
}
