import { JOIN_EXPECTED_MOVED_SHARE, JOIN_LOAD_CONCURRENCY, JOIN_POLL_MS, VALUE_BYTES } from './bench-config';
import { describeKeyspace } from './bench-keyspaces';
import type { JoinResult } from './join-bench';

const MB = 1024 * 1024;

/** The join's figures as observed; no target, since the issue sets none for how long a join takes. */
export function formatJoinReport(result: JoinResult): string {
  const { load, progress, sample, nodeId } = result;
  const attempted = load.ok + load.failed;
  const joinSeconds = result.joinMs / 1000;
  const lines = [
    `join: a fourth storage node joins a 3-node region; keyspace ${describeKeyspace(result.keyspace)}`,
    `  loaded ${load.ok} of ${attempted} keys (${VALUE_BYTES}-byte values, ${JOIN_LOAD_CONCURRENCY} in flight) in ${load.seconds.toFixed(1)} s: ` +
      `${(load.seconds > 0 ? load.ok / load.seconds : 0).toFixed(0)} keys/s, ${load.failed} failed`,
    `  ${nodeId} joined in ${joinSeconds.toFixed(2)} s, from POST /v1/admin/nodes to the ring reporting the rebalance done (polled every ${JOIN_POLL_MS} ms)`,
  ];
  if (progress.lastSeenMs === null) {
    lines.push('  the ring never showed the rebalance running: it finished between two polls, so no progress figures');
  } else {
    lines.push(
      `  partitions moving ${progress.partitionsMoving}; last seen running at ${(progress.lastSeenMs / 1000).toFixed(2)} s: ` +
        `${progress.keysMoved} keys moved so far, ${(progress.bytesMoved / MB).toFixed(1)} MB (${progress.bytesMoved} bytes)`,
    );
  }
  lines.push(
    `  ${nodeId} holds ${result.keysHeld} keys after the join, each moved to it (${(joinSeconds > 0 ? result.keysHeld / joinSeconds : 0).toFixed(0)} keys/s over the join); ` +
      `keys moved / keys loaded: ${(load.ok > 0 ? result.keysHeld / load.ok : 0).toFixed(2)} ` +
      `(with N=3 on 3 -> 4 nodes, ~${JOIN_EXPECTED_MOVED_SHARE} of the keys gain ${nodeId} as a replica)`,
  );
  lines.push(
    `  ${nodeId} owns ${(result.ownership * 100).toFixed(1)}% of the hash space as a primary`,
    `  read back ${sample.checked} random keys after the join: ${sample.wrong} missing or wrong`,
  );
  if (load.firstError !== undefined) lines.push(`  first failed load: ${load.firstError}`);
  if (sample.firstProblem !== undefined) lines.push(`  first wrong read: ${sample.firstProblem}`);
  if (load.failed + sample.wrong > 0) lines.push('', `WARNING: ${load.failed} failed loads and ${sample.wrong} bad reads in the join part.`);
  return lines.join('\n');
}
