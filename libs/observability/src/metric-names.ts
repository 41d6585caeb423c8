import {
  makeCounterProvider,
  makeGaugeProvider,
  makeHistogramProvider,
} from '@willsoto/nestjs-prometheus';
import type { Provider } from '@nestjs/common';

/** Every geokv metric name, so that dashboards and alerts have one place to look. */
export const Metric = {
  httpDuration: 'geokv_http_request_duration_seconds',
  rpcDuration: 'geokv_rpc_duration_seconds',
  dbQueryDuration: 'geokv_db_query_duration_seconds',
  writeBatchSize: 'geokv_write_batch_size',
  ringNodes: 'geokv_ring_nodes',
  ringEpoch: 'geokv_ring_epoch',
  cacheLookups: 'geokv_cache_lookups_total',
  lwwConflicts: 'geokv_lww_conflicts_total',
  absenceGuessesMissed: 'geokv_write_absence_guesses_missed_total',
  siblingLimitRefusals: 'geokv_sibling_limit_refusals_total',
  replicationLag: 'geokv_replication_lag_seconds',
  replicationBacklog: 'geokv_replication_backlog',
  replicationShipped: 'geokv_replication_shipped_total',
  replicationApplied: 'geokv_replication_applied_total',
  replicationDelay: 'geokv_replication_delay_seconds',
  antiEntropyKeysCompared: 'geokv_anti_entropy_keys_compared_total',
  antiEntropyVersionsRepaired: 'geokv_anti_entropy_versions_repaired_total',
  antiEntropyRuns: 'geokv_anti_entropy_runs_total',
  antiEntropyRunDuration: 'geokv_anti_entropy_run_duration_seconds',
  hintsPending: 'geokv_hints_pending',
  hintsReplayed: 'geokv_hints_replayed_total',
  readRepairs: 'geokv_read_repairs_total',
  handoffKeysMoved: 'geokv_handoff_keys_moved_total',
  handoffBytesMoved: 'geokv_handoff_bytes_moved_total',
  acceptorHandoverKeys: 'geokv_acceptor_handover_keys_total',
  acceptorRebuiltRecords: 'geokv_acceptor_rebuilt_records_total',
  acceptorCollectionRounds: 'geokv_acceptor_collection_rounds_total',
  acceptorRowsDropped: 'geokv_acceptor_rows_dropped_total',
  deletedKeyspaceRowsPurged: 'geokv_deleted_keyspace_rows_purged_total',
  rebalancePartitionsPending: 'geokv_rebalance_partitions_pending',
  paxosPhaseDuration: 'geokv_paxos_phase_duration_seconds',
  paxosRetries: 'geokv_paxos_retries_total',
  strongOperations: 'geokv_strong_operations_total',
  strongHeldBallots: 'geokv_strong_held_ballots_total',
  strongBatchSize: 'geokv_strong_batch_size',
} as const;

// Latency buckets from 0.25 ms to 2.5 s: the in-region paths live in the low milliseconds, and the top
// bucket sits just above the default RPC timeout so that timeouts show up as their own band.
const LATENCY_BUCKETS = [0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

export const httpDurationMetric: Provider = makeHistogramProvider({
  name: Metric.httpDuration,
  help: 'HTTP request duration by route template and status',
  labelNames: ['method', 'route', 'status'],
  buckets: LATENCY_BUCKETS,
});

export const rpcDurationMetric: Provider = makeHistogramProvider({
  name: Metric.rpcDuration,
  help: 'Round trip of a microservice request over the Redis transport, by pattern and outcome',
  labelNames: ['pattern', 'outcome'],
  buckets: LATENCY_BUCKETS,
});

export const dbQueryDurationMetric: Provider = makeHistogramProvider({
  name: Metric.dbQueryDuration,
  help: 'PostgreSQL query duration by query name',
  labelNames: ['query'],
  buckets: LATENCY_BUCKETS,
});

export const writeBatchSizeMetric: Provider = makeHistogramProvider({
  name: Metric.writeBatchSize,
  help: 'Writes grouped into one PostgreSQL transaction (group commit)',
  buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
});

export const ringNodesMetric: Provider = makeGaugeProvider({
  name: Metric.ringNodes,
  help: 'Storage nodes in the ring by status',
  labelNames: ['status'],
});

export const ringEpochMetric: Provider = makeGaugeProvider({
  name: Metric.ringEpoch,
  help: 'Epoch of the ring this process holds',
});

export const cacheLookupsMetric: Provider = makeCounterProvider({
  name: Metric.cacheLookups,
  help: 'Read-path cache lookups by tier (l1) and result (hit; miss, a read of the shard; joined, a miss that shared a read of the shard already running)',
  labelNames: ['tier', 'result'],
});

export const lwwConflictsMetric: Provider = makeCounterProvider({
  name: Metric.lwwConflicts,
  help: 'Concurrent versions resolved by last-writer-wins; each loser is kept in the conflicts table',
  labelNames: ['keyspace'],
});

export const siblingLimitRefusalsMetric: Provider = makeCounterProvider({
  name: Metric.siblingLimitRefusals,
  help: 'Client writes refused because they would grow a key past GEOKV_MAX_SIBLINGS or GEOKV_MAX_KEY_BYTES',
  labelNames: ['keyspace'],
});

export const absenceGuessesMissedMetric: Provider = makeCounterProvider({
  name: Metric.absenceGuessesMissed,
  help: 'Group commits that merged uncached keys as absent and found one stored after all, so read them and merged again',
});

export const replicationLagMetric: Provider = makeGaugeProvider({
  name: Metric.replicationLag,
  help: 'Age of the oldest local write the target region has not acknowledged (0 when none is pending)',
  labelNames: ['source', 'target'],
});

export const replicationBacklogMetric: Provider = makeGaugeProvider({
  name: Metric.replicationBacklog,
  help: 'Local writes the target region has not acknowledged yet',
  labelNames: ['source', 'target'],
});

export const replicationShippedMetric: Provider = makeCounterProvider({
  name: Metric.replicationShipped,
  help: 'Versions shipped to the target region and acknowledged by it',
  labelNames: ['source', 'target'],
});

export const replicationAppliedMetric: Provider = makeCounterProvider({
  name: Metric.replicationApplied,
  help: 'Versions received from the source region, by outcome: applied, or already known (a replay)',
  labelNames: ['source', 'outcome'],
});

export const antiEntropyKeysComparedMetric: Provider = makeCounterProvider({
  name: Metric.antiEntropyKeysCompared,
  help: 'Keys this region digested in anti-entropy runs against the target region',
  labelNames: ['source', 'target'],
});

export const antiEntropyRunsMetric: Provider = makeCounterProvider({
  name: Metric.antiEntropyRuns,
  help: 'Anti-entropy runs of this region against the target region, by outcome (ok, failed): a run that keeps failing repairs nothing',
  labelNames: ['source', 'target', 'outcome'],
});

export const antiEntropyRunDurationMetric: Provider = makeHistogramProvider({
  name: Metric.antiEntropyRunDuration,
  help: 'How long an anti-entropy run against the target region took, its scans of both regions and its repairs included',
  labelNames: ['source', 'target'],
  buckets: [0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600, 1800],
});

export const antiEntropyVersionsRepairedMetric: Provider = makeCounterProvider({
  name: Metric.antiEntropyVersionsRepaired,
  help: 'Versions anti-entropy found missing on one side and that changed that side when merged',
  labelNames: ['source', 'target'],
});

/** Fine below 100 ms, where replication over healthy links lives, and up to minutes for a healed partition. */
export const REPLICATION_DELAY_BUCKETS = [
  0.001, 0.002, 0.005, 0.01, 0.015, 0.02, 0.03, 0.04, 0.05, 0.06, 0.07, 0.08, 0.09, 0.1, 0.125, 0.15, 0.2, 0.3, 0.5, 1, 2, 5, 10, 30, 60,
];

export const replicationDelayMetric: Provider = makeHistogramProvider({
  name: Metric.replicationDelay,
  help: 'From a write in its origin region (its HLC time) to its version being durable on a write quorum of its replicas in this region',
  labelNames: ['origin'],
  buckets: REPLICATION_DELAY_BUCKETS,
});

export const hintsPendingMetric: Provider = makeGaugeProvider({
  name: Metric.hintsPending,
  help: 'Keys this node holds for a home replica that has not received them yet (hinted handoff)',
  labelNames: ['target'],
});

export const hintsReplayedMetric: Provider = makeCounterProvider({
  name: Metric.hintsReplayed,
  help: 'Hinted keys handed to their home replica once it was back',
  labelNames: ['target'],
});

export const readRepairsMetric: Provider = makeCounterProvider({
  name: Metric.readRepairs,
  help: 'Versions a quorum read sent to a replica that answered without them',
  labelNames: [],
});

export const handoffKeysMovedMetric: Provider = makeCounterProvider({
  name: Metric.handoffKeysMoved,
  help: 'Keys this node streamed to their new replicas during rebalances',
  labelNames: [],
});

export const handoffBytesMovedMetric: Provider = makeCounterProvider({
  name: Metric.handoffBytesMoved,
  help: 'Value bytes this node streamed to their new replicas during rebalances',
  labelNames: [],
});

export const acceptorHandoverKeysMetric: Provider = makeCounterProvider({
  name: Metric.acceptorHandoverKeys,
  help: "Strong keys whose acceptor state this node handed to their new acceptor node during rebalances",
  labelNames: [],
});

export const acceptorRebuiltRecordsMetric: Provider = makeCounterProvider({
  name: Metric.acceptorRebuiltRecords,
  help: "Peer regions' acceptor records merged into this region's new acceptors, rebuilding the state of nodes it lost",
  labelNames: [],
});

export const acceptorCollectionRoundsMetric: Provider = makeCounterProvider({
  name: Metric.acceptorCollectionRounds,
  help: 'Garbage collection rounds this replicator ran on strong keys, by outcome: emptied (every region accepted the empty register), live, refused or unreachable (kept for now)',
  labelNames: ['outcome'],
});

export const acceptorRowsDroppedMetric: Provider = makeCounterProvider({
  name: Metric.acceptorRowsDropped,
  help: "Acceptor rows dropped in every region (this one's and the peers') after this replicator's collection rounds emptied them",
  labelNames: [],
});

export const deletedKeyspaceRowsPurgedMetric: Provider = makeCounterProvider({
  name: Metric.deletedKeyspaceRowsPurged,
  help: 'Rows of deleted keyspaces (versions, conflict records, hints, acceptor state) this node purged',
  labelNames: [],
});

export const rebalancePartitionsPendingMetric: Provider = makeGaugeProvider({
  name: Metric.rebalancePartitionsPending,
  help: 'Partitions of the rebalance in progress whose data has not finished moving (0 when none runs)',
  labelNames: [],
});

export const paxosPhaseDurationMetric: Provider = makeHistogramProvider({
  name: Metric.paxosPhaseDuration,
  help: 'CASPaxos round trips to a majority of regions, by phase (prepare, accept) and outcome (quorum, rejected: a conflict with another ballot, no-quorum)',
  labelNames: ['phase', 'outcome'],
  buckets: LATENCY_BUCKETS,
});

export const paxosRetriesMetric: Provider = makeCounterProvider({
  name: Metric.paxosRetries,
  help: 'CASPaxos rounds retried with a higher ballot after a conflict',
  labelNames: [],
});

export const strongHeldBallotsMetric: Provider = makeCounterProvider({
  name: Metric.strongHeldBallots,
  help: 'Held ballots (one-round-trip strong operations) by event: used (an operation skipped its prepare) or refused (another proposer had used the key, so the operation prepared after all)',
  labelNames: ['event'],
});

export const strongBatchSizeMetric: Provider = makeHistogramProvider({
  name: Metric.strongBatchSize,
  help: 'Operations on one strong key that a gateway ran in one CASPaxos round (those that arrived while the key\'s round before ran)',
  buckets: [1, 2, 4, 8, 16, 32, 64],
});

export const strongOperationsMetric: Provider = makeCounterProvider({
  name: Metric.strongOperations,
  help: 'Operations on strong keyspaces by kind (get, put, delete) and outcome (ok, precondition_failed, no_quorum, contended, outcome_unknown)',
  labelNames: ['operation', 'outcome'],
});
