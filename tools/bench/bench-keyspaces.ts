import { setTimeout as sleep } from 'node:timers/promises';

/** A keyspace the bench creates, so its figures say how many replicas they paid for whatever `default` is. */
export interface BenchKeyspace {
  readonly name: string;
  /** How the report names it, e.g. `N=3`. */
  readonly label: string;
  /** The body of PUT /v1/keyspaces/{name}. */
  readonly policy: EventualPolicy | StrongPolicy;
}

interface EventualPolicy {
  readonly replicationFactor: number;
  readonly readQuorum?: number;
  readonly writeQuorum?: number;
}

/** The gateway refuses replication fields on a strong keyspace: one acceptor per region, a majority of regions deciding. */
interface StrongPolicy {
  readonly consistency: 'strong';
}

/** One replica: the foundation's figures, comparable with the raw PostgreSQL baseline. */
export const SINGLE_REPLICA: BenchKeyspace = { name: 'bench-n1', label: 'N=1', policy: { replicationFactor: 1 } };

/** Three replicas with majority quorums, spelled out so that a change of the defaults does not change the figure. */
export const THREE_REPLICAS: BenchKeyspace = {
  name: 'bench-n3',
  label: 'N=3',
  policy: { replicationFactor: 3, readQuorum: 2, writeQuorum: 2 },
};

/** The throughput part's unmeasured warm-up: three replicas, so that every write and read path runs. */
export const WARM_UP: BenchKeyspace = { ...THREE_REPLICAS, name: 'bench-warmup', label: 'region' };

/** Every operation a CASPaxos round across all regions (see the strong part). */
export const STRONG: BenchKeyspace = { name: 'bench-strong', label: 'strong', policy: { consistency: 'strong' } };

/** `bench-n3 (N=3, R=2, W=2)`: the name with the replicas and quorums, or `bench-strong (strong)`, for headings. */
export function describeKeyspace(keyspace: BenchKeyspace): string {
  if ('consistency' in keyspace.policy) return `${keyspace.name} (${keyspace.policy.consistency})`;
  const { replicationFactor, readQuorum, writeQuorum } = keyspace.policy;
  const quorums = [readQuorum === undefined ? '' : `, R=${readQuorum}`, writeQuorum === undefined ? '' : `, W=${writeQuorum}`].join('');
  return `${keyspace.name} (N=${replicationFactor}${quorums})`;
}

/** Creates (or re-creates) the keyspace through the gateway; throws with the gateway's answer unless it is 200. */
export async function createKeyspace(gatewayUrl: string, keyspace: BenchKeyspace): Promise<void> {
  const response = await fetch(`${gatewayUrl}/v1/keyspaces/${keyspace.name}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(keyspace.policy),
    signal: AbortSignal.timeout(10_000),
  });
  const body = await response.text();
  if (response.status !== 200) throw new Error(`PUT /v1/keyspaces/${keyspace.name} answered ${response.status}: ${body}`);
}

/**
 * Waits until a gateway (another region's, say) knows the keyspace: the catalog reaches peer regions
 * asynchronously, and a phase started before that would measure errors. Throws after `timeoutMs`.
 */
export async function waitForKeyspace(gatewayUrl: string, keyspace: BenchKeyspace, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const response = await fetch(`${gatewayUrl}/v1/keyspaces/${keyspace.name}`, { signal: AbortSignal.timeout(5_000) });
    await response.text();
    if (response.status === 200) return;
    if (performance.now() > deadline) throw new Error(`${gatewayUrl} did not know keyspace ${keyspace.name} within ${timeoutMs / 1000} s (last answer ${response.status})`);
    await sleep(100);
  }
}
