import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { PeriodicService } from '@geokv/bootstrap';
import { APP_CONFIG } from '@geokv/config';
import { placementKey } from '@geokv/protocol';
import { keyIdOf } from '../kv/key-id';
import { ShardDatabase } from '../kv/shard-database';
import { DROP_KEYS } from '../kv/shard-statements';
import { VersionCache } from '../kv/version-cache';
import { WriteBatcher } from '../kv/write-batcher';
import { RegionView } from '../region/region-view.service';
import type { StorageNodeConfig } from '../storage-node.config';
import { pagesOfKeys } from './key-pages';

const CHECK_INTERVAL_MS = 1_000;

/**
 * After a rebalance has finished, drops the keys this node is no longer a home replica of: a drained node
 * ends holding nothing, and a join's old replicas give back what moved. It waits first
 * (GEOKV_HANDOFF_CLEANUP_DELAY_MS) so that no gateway or node still reads by the old ring, and it keeps any
 * key it holds a hint for until the hint is delivered.
 */
@Injectable()
export class HandoffCleanup extends PeriodicService {
  private readonly logger = new Logger(HandoffCleanup.name);
  private cleanedFor: number | null = null;

  constructor(
    private readonly db: ShardDatabase,
    private readonly region: RegionView,
    private readonly cache: VersionCache,
    private readonly batcher: WriteBatcher,
    @Inject(APP_CONFIG) private readonly config: StorageNodeConfig,
  ) {
    super(CHECK_INTERVAL_MS);
  }

  /** Cleans up once after each finished rebalance (and once after a restart). */
  protected async runOnce(): Promise<void> {
    const view = this.region.current;
    if (view === null || view.rebalance !== null || view.lastRebalanceId === null) return;
    if (view.lastRebalanceId === this.cleanedFor || this.region.ring.isEmpty || !this.region.knowsKeyspaces) return;
    await this.clean(view.lastRebalanceId);
  }

  private async clean(rebalanceId: number): Promise<void> {
    await sleep(this.config.GEOKV_HANDOFF_CLEANUP_DELAY_MS);
    let dropped = 0;
    try {
      for await (const page of pagesOfKeys(this.db, this.config.GEOKV_HANDOFF_BATCH)) {
        // A rebalance that started meanwhile needs every copy until it is done.
        if (this.stopped || this.region.current?.rebalance !== null) return;
        const ring = this.region.ring;
        const foreign = page.filter((ref) => !ring.homeReplicas(placementKey(ref.keyspace, ref.key), this.region.replicasOf(ref.keyspace)).includes(this.region.self));
        if (foreign.length === 0) continue;
        const gone = await this.db.run<{ keyspace: string; key: string }>(DROP_KEYS, [foreign.map((ref) => ref.keyspace), foreign.map((ref) => ref.key)]);
        for (const ref of gone) {
          const keyId = keyIdOf(ref);
          if (!this.batcher.inFlight.has(keyId)) this.cache.forget(keyId);
        }
        dropped += new Set(gone.map(keyIdOf)).size;
      }
      this.cleanedFor = rebalanceId;
      this.logger.log({ rebalanceId, keysDropped: dropped }, 'dropped the keys this node no longer holds');
    } catch (error) {
      this.logger.warn({ err: error, rebalanceId }, 'cleanup after the rebalance failed; it starts over');
    }
  }
}
