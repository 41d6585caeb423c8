import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicService } from '@geokv/bootstrap';
import { APP_CONFIG } from '@geokv/config';
import { placementKey } from '@geokv/protocol';
import { ShardDatabase } from '../kv/shard-database';
import { READ_REPLICA_SPREAD, RECORD_REPLICA_SPREAD } from '../kv/shard-statements';
import { VersionStore } from '../kv/version-store';
import { RegionView } from '../region/region-view.service';
import { ReplicaClient } from '../region/replica-client';
import type { StorageNodeConfig } from '../storage-node.config';
import { pagesOfKeyspace } from './key-pages';
import { bytesOfMoves, sendCopies, type KeyMove } from './send-copies';
import { topUpTargets } from './top-up-targets';

const CHECK_INTERVAL_MS = 1_000;
/** After a top-up that could not finish (a new replica down, say), before it starts over. */
const RETRY_AFTER_MS = 10_000;

/**
 * Gives existing keys the replicas they gain when their keyspace's replicationFactor rises. New writes go
 * to the new number of replicas at once, but without this the keys written before would stay on as many
 * nodes as before until read (read repair) or rewritten: fewer copies than the keyspace promises, so a
 * lost node could lose them. Each node sends its copies (see topUpTargets), then records the new factor in
 * its shard, so a restart resumes the work. A keyspace with no record yet is recorded with the factor this
 * process first saw for it (a keyspace raised right after its first writes still gets its top-up; a node
 * joining later records the current one, and its handoff brings it what it should hold). Waits while a
 * rebalance runs.
 */
@Injectable()
export class ReplicaTopUp extends PeriodicService {
  private readonly logger = new Logger(ReplicaTopUp.name);
  private spread: Map<string, number> | null = null;
  private retryAtMs = 0;

  constructor(
    private readonly db: ShardDatabase,
    private readonly store: VersionStore,
    private readonly region: RegionView,
    private readonly replicas: ReplicaClient,
    @Inject(APP_CONFIG) private readonly config: StorageNodeConfig,
  ) {
    super(CHECK_INTERVAL_MS);
  }

  protected async runOnce(): Promise<void> {
    if (!this.region.knowsKeyspaces || this.region.ring.isEmpty) return;
    try {
      const spread = (this.spread ??= new Map(
        (await this.db.run<{ keyspace: string; replicas: number }>(READ_REPLICA_SPREAD, [])).map((row) => [row.keyspace, row.replicas]),
      ));
      // A strong keyspace's values live in its acceptors' state, one per region, not in replicas.
      const eventual = this.region.keyspacePolicies().filter((policy) => policy.consistency !== 'strong');
      for (const policy of eventual) {
        if (!spread.has(policy.name)) await this.record(policy.name, this.region.firstReplicasOf(policy.name));
      }
      if (this.region.current?.rebalance || Date.now() < this.retryAtMs) return;
      for (const policy of eventual) {
        const from = spread.get(policy.name)!;
        if (from === policy.replicationFactor) continue;
        if (from < policy.replicationFactor && !(await this.sendExisting(policy.name, from, policy.replicationFactor))) continue;
        await this.record(policy.name, policy.replicationFactor);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'replica top-up interrupted; it starts over');
      this.retryAtMs = Date.now() + RETRY_AFTER_MS;
    }
  }

  private async record(keyspace: string, replicas: number): Promise<void> {
    await this.db.run(RECORD_REPLICA_SPREAD, [keyspace, replicas]);
    this.spread!.set(keyspace, replicas);
  }

  /** False when the factor changed again, a rebalance began or the node is stopping: the next check redoes it. */
  private async sendExisting(keyspace: string, from: number, to: number): Promise<boolean> {
    this.logger.log({ keyspace, from, to }, 'replication factor raised: sending existing keys to their new replicas');
    const requestId = `top-up-${randomUUID().slice(0, 8)}`;
    let keys = 0;
    let bytes = 0;
    for await (const page of pagesOfKeyspace(this.db, keyspace, this.config.GEOKV_HANDOFF_BATCH)) {
      if (this.stopped || this.region.replicasOf(keyspace) !== to || this.region.current?.rebalance) return false;
      const ring = this.region.ring;
      const moves: KeyMove[] = page
        .map((ref) => ({ ref, to: topUpTargets(ring, placementKey(ref.keyspace, ref.key), from, to, this.region.self) }))
        .filter((move) => move.to.length > 0);
      if (moves.length === 0) continue;
      const versions = await this.store.load(moves.map((move) => move.ref));
      await sendCopies(this.replicas, (name) => this.region.strategyOf(name), requestId, moves, versions);
      keys += moves.length;
      bytes += bytesOfMoves(moves, versions);
    }
    this.logger.log({ keyspace, replicas: to, keys, bytes }, 'replica top-up finished');
    return true;
  }
}
