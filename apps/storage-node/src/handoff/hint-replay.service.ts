import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { PeriodicTask } from '@geokv/bootstrap';
import { APP_CONFIG } from '@geokv/config';
import { Metric } from '@geokv/observability';
import { byteGroups, valueBytesOf, type ConflictResolution } from '@geokv/protocol';
import { KvService } from '../kv/kv.service';
import { ShardDatabase } from '../kv/shard-database';
import { COUNT_HINTS, DELETE_HINTS, READ_HINTS } from '../kv/shard-statements';
import { RegionView } from '../region/region-view.service';
import { ReplicaClient } from '../region/replica-client';
import { replicatedVersionOf } from '../replication/replicated-version';
import type { StorageNodeConfig } from '../storage-node.config';
import type { StoredVersion } from '../versions/stored-version';
import { SEND_BYTES_IN_FLIGHT } from './send-budget';

interface HintRow {
  readonly target_node: string;
  readonly keyspace: string;
  readonly key: string;
  readonly strategy: ConflictResolution;
  readonly seq: string;
}

const HINTS_PER_ROUND = 500;
/** Hinted keys whose versions are loaded together (one statement for those the cache misses). */
const LOAD_CHUNK = 16;

/**
 * Hinted handoff: hands each hinted key to its home replica once membership holds that replica up again,
 * then deletes the hint. The key's current versions are sent (not the ones hinted), which descend them, and
 * the replica's merge is idempotent, so a replay repeated after a crash changes nothing.
 */
@Injectable()
export class HintReplayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(HintReplayService.name);
  private readonly schedule: PeriodicTask;

  constructor(
    private readonly db: ShardDatabase,
    private readonly kv: KvService,
    private readonly region: RegionView,
    private readonly replicas: ReplicaClient,
    @Inject(APP_CONFIG) config: StorageNodeConfig,
    @InjectMetric(Metric.hintsPending) private readonly pending: Gauge<string>,
    @InjectMetric(Metric.hintsReplayed) private readonly replayed: Counter<string>,
  ) {
    this.schedule = new PeriodicTask(config.GEOKV_HINT_REPLAY_INTERVAL_MS, () => this.round());
  }

  onApplicationBootstrap(): void {
    this.schedule.start();
  }

  onApplicationShutdown(): void {
    this.schedule.stop();
  }

  private async round(): Promise<void> {
    try {
      const counts = await this.db.run<{ target_node: string; pending: number }>(COUNT_HINTS, []);
      this.pending.reset();
      for (const row of counts) this.pending.set({ target: row.target_node }, row.pending);
      const up = new Set(this.region.otherNodesUp());
      const ready = counts.filter((row) => up.has(row.target_node)).map((row) => row.target_node);
      if (ready.length === 0) return;
      let delivered = HINTS_PER_ROUND;
      while (delivered === HINTS_PER_ROUND) delivered = await this.replayPage(ready);
    } catch (error) {
      this.logger.warn({ err: error }, 'hint replay round failed; the next round retries');
    }
  }

  /**
   * Replays one page of hints; returns how many were delivered (fewer than a page ends the round). Keys are
   * loaded LOAD_CHUNK at a time and sent SEND_BYTES_IN_FLIGHT of values at a time. A replica that fails a
   * delivery gets nothing more in this page (it is likely down or overloaded again); the others go on.
   */
  private async replayPage(targets: readonly string[]): Promise<number> {
    const rows = await this.db.run<HintRow>(READ_HINTS, [targets, HINTS_PER_ROUND]);
    const requestId = `hints-${randomUUID()}`;
    const delivered: HintRow[] = [];
    const failedTargets = new Set<string>();
    for (let start = 0; start < rows.length; start += LOAD_CHUNK) {
      const chunk = rows.slice(start, start + LOAD_CHUNK).filter((row) => !failedTargets.has(row.target_node));
      const loaded = await Promise.all(chunk.map(async (row) => ({ row, versions: await this.kv.versionsOf(row.keyspace, row.key) })));
      for (const group of byteGroups(loaded, ({ versions }) => valueBytesOf(versions), SEND_BYTES_IN_FLIGHT)) {
        const sending = group.filter(({ row }) => !failedTargets.has(row.target_node));
        const outcomes = await Promise.all(sending.map(({ row, versions }) => this.deliver(row, versions, requestId)));
        sending.forEach(({ row }, i) => {
          if (outcomes[i]) delivered.push(row);
          else failedTargets.add(row.target_node);
        });
      }
    }
    if (delivered.length > 0) {
      await this.db.run(DELETE_HINTS, [
        delivered.map((row) => row.target_node),
        delivered.map((row) => row.keyspace),
        delivered.map((row) => row.key),
        delivered.map((row) => row.seq),
      ]);
      for (const row of delivered) this.replayed.inc({ target: row.target_node });
      this.logger.log({ delivered: delivered.length, failed: rows.length - delivered.length }, 'hinted keys handed to their home replicas');
    }
    return rows.length === HINTS_PER_ROUND && failedTargets.size === 0 ? delivered.length : 0;
  }

  /** Hands the key's current versions to the hint's replica; whether it took them all. */
  private async deliver(row: HintRow, versions: readonly StoredVersion[], requestId: string): Promise<boolean> {
    const ref = { keyspace: row.keyspace, key: row.key };
    try {
      await Promise.all(
        versions.map((version) => this.replicas.write(row.target_node, { requestId, version: replicatedVersionOf(ref, version), strategy: row.strategy, hintFor: null })),
      );
      return true;
    } catch {
      return false;
    }
  }
}
