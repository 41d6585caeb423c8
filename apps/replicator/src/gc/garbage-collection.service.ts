import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type PersistentReplyRedisClient } from '@geokv/config';
import { addressTo, StoragePatterns, type CollectGarbageRequest, type CollectGarbageResult } from '@geokv/protocol';
import { RegionViewService } from '../region/region-view.service';
import { LOCAL_TRANSPORT } from '../region/tokens';
import { describeFailure } from '../region/describe-failure';
import { PeriodicTask } from '@geokv/bootstrap';
import { peersOf, type ReplicatorConfig } from '../replicator.config';

/**
 * Asks every local storage node, on a timer, to drop the outbox rows every peer has acknowledged and the
 * tombstones past their grace period. The replicator drives it because it knows the peers: a node alone
 * cannot tell which regions still need its outbox.
 */
@Injectable()
export class GarbageCollectionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(GarbageCollectionService.name);
  private readonly schedule: PeriodicTask;

  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
    private readonly region: RegionViewService,
  ) {
    this.schedule = new PeriodicTask(config.GEOKV_GC_INTERVAL_MS, () => this.collect());
  }

  onApplicationBootstrap(): void {
    this.schedule.start();
  }

  onApplicationShutdown(): void {
    this.schedule.stop();
  }

  private async collect(): Promise<void> {
    const request: CollectGarbageRequest = {
      requestId: `gc-${randomUUID()}`,
      peers: [...peersOf(this.config).keys()],
      tombstoneGraceMs: this.config.GEOKV_TOMBSTONE_GRACE_MS,
    };
    await Promise.all(
      this.region.nodeIds().map(async (nodeId) => {
        try {
          const result = await this.local.request<CollectGarbageResult>(
            addressTo(StoragePatterns.collectGarbage, nodeId),
            request,
            this.config.GEOKV_RPC_TIMEOUT_MS,
          );
          if (result.outboxTrimmed > 0 || result.tombstonesPurged > 0) this.logger.log({ node: nodeId, ...result }, 'garbage collected');
        } catch (error) {
          this.logger.debug({ node: nodeId, reason: describeFailure(error) }, 'garbage collection skipped this round');
        }
      }),
    );
  }
}
