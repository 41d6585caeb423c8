import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { PeriodicService } from '@geokv/bootstrap';
import { APP_CONFIG } from '@geokv/config';
import { Metric } from '@geokv/observability';
import { RegionView } from '../region/region-view.service';
import type { StorageNodeConfig } from '../storage-node.config';
import { drainInSlices } from './drain-in-slices';
import { VERSIONS_PURGE_SLICE } from './shard-statements';
import { VersionStore } from './version-store';

/**
 * How long one sweep may go on purging (a sixth of the default interval); what is left waits for the next
 * sweep. At about 1,000 versions per 10-30 ms slice that is some 150,000 versions a sweep.
 */
const SWEEP_BUDGET_MS = 5_000;

/**
 * Purges expired versions in small slices, until none is left (or the sweep's budget is spent); a sweep
 * still running skips the next tick. Reads already hide a version from the moment it expires, so this only
 * reclaims space; a cached copy of a purged version is harmless for the same reason. Deleted keyspaces'
 * data, and conflict records past their retention, go the same way in what is left of the budget (no
 * request reaches a deleted keyspace's keys, so its cached copies are never served either; the cache
 * evicts them in time).
 */
@Injectable()
export class ExpirySweeper extends PeriodicService {
  private readonly logger = new Logger(ExpirySweeper.name);
  /** 0: conflict records are kept for good. */
  private readonly conflictRetentionSeconds: number;

  constructor(
    private readonly store: VersionStore,
    private readonly region: RegionView,
    @Inject(APP_CONFIG) config: StorageNodeConfig,
    @InjectMetric(Metric.deletedKeyspaceRowsPurged) private readonly deletedRowsPurged: Counter<string>,
  ) {
    super(config.GEOKV_EXPIRY_SWEEP_INTERVAL_MS);
    this.conflictRetentionSeconds = config.GEOKV_CONFLICT_RETENTION_SECONDS;
  }

  protected async runOnce(): Promise<void> {
    try {
      const deadlineMs = Date.now() + SWEEP_BUDGET_MS;
      const purged = await drainInSlices(() => this.store.purgeExpired(), VERSIONS_PURGE_SLICE, deadlineMs);
      if (purged > 0) this.logger.log({ purged }, 'purged expired versions');
      const deleted = this.region.deletedKeyspaces();
      if (deleted.length > 0) {
        let rows = 0;
        await drainInSlices(
          async () => {
            const purged = await this.store.purgeDeletedKeyspaces(deleted);
            rows += purged.rows;
            return purged.slice;
          },
          VERSIONS_PURGE_SLICE,
          deadlineMs,
        );
        if (rows > 0) {
          this.deletedRowsPurged.inc(rows);
          this.logger.log({ keyspaces: deleted.length, rows }, 'purged data of deleted keyspaces');
        }
      }
      if (this.conflictRetentionSeconds === 0) return;
      const conflicts = await drainInSlices(() => this.store.purgeOldConflicts(this.conflictRetentionSeconds), VERSIONS_PURGE_SLICE, deadlineMs);
      if (conflicts > 0) this.logger.log({ conflicts }, 'purged conflict records past their retention');
    } catch (error) {
      this.logger.warn({ err: error }, 'expiry sweep failed; retrying at the next interval');
    }
  }
}
