/** A keyspace the bench creates, so its figures say how many replicas they paid for whatever `default` is. */
export interface BenchKeyspace {
  readonly name: string;
  /** How the report names it, e.g. `N=3`. */
  readonly label: string;
  /** The body of PUT /v1/keyspaces/{name}. */
  readonly policy: { readonly replicationFactor: number; readonly readQuorum?: number; readonly writeQuorum?: number };
}

/** One replica: the foundation's figures, comparable with the raw PostgreSQL baseline. */
export const SINGLE_REPLICA: BenchKeyspace = { name: 'bench-n1', label: 'N=1', policy: { replicationFactor: 1 } };

/** Three replicas with majority quorums, spelled out so that a change of the defaults does not change the figure. */
export const THREE_REPLICAS: BenchKeyspace = {
  name: 'bench-n3',
  label: 'N=3',
  policy: { replicationFactor: 3, readQuorum: 2, writeQuorum: 2 },
};

/** `N=3, R=2, W=2`: the label with the quorums, for headings. */
export function describeKeyspace(keyspace: BenchKeyspace): string {
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
