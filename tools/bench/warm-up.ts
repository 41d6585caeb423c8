import type { BenchKeyspace } from './bench-keyspaces';
import { runHttpLoad } from './http-load';
import { BenchKeys } from './kv-requests';

/**
 * PUTs then GETs on `keyspace` for `seconds` each, whose figures are discarded: fresh processes and shards
 * settle before the measured phases. A failure here shows again in the measured phases.
 */
export async function warmUp(gatewayUrl: string, keyspace: BenchKeyspace, connections: number, seconds: number): Promise<void> {
  const keys = new BenchKeys(keyspace.name);
  const load = { url: gatewayUrl, connections, seconds };
  await runHttpLoad({ ...load, name: `${keyspace.label} PUT warm-up`, requests: keys.putRequests() });
  await runHttpLoad({ ...load, name: `${keyspace.label} GET warm-up`, requests: keys.getRequests() });
}
