import { Inject, Injectable, Logger } from '@nestjs/common';
import { RpcException } from '@nestjs/microservices';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { APP_CONFIG, type PersistentReplyRedisClient } from '@geokv/config';
import { Metric } from '@geokv/observability';
import {
  addressTo,
  ErrorCode,
  StoragePatterns,
  type ApplyRemoteRequest,
  type ApplyRemoteResult,
  type ConflictResolution,
  type ReplicaQuorum,
  type ReplicatedVersion,
  type ShipmentRequest,
  type ShipmentResult,
} from '@geokv/protocol';
import { RegionViewService } from '../region/region-view.service';
import { LOCAL_TRANSPORT } from '../region/tokens';
import { describeFailure } from '../region/describe-failure';
import { REPLICATOR_INCARNATION } from './incarnation';
import { firstCounting, planDeliveries, planFallback, type KeyPlacement } from './replica-deliveries';
import type { ReplicatorConfig } from '../replicator.config';

/**
 * Applies a shipment from a peer region. Every version goes to each of its key's replicas here at once, and
 * each node merges it exactly as it merges a local write, so the outcome does not depend on arrival order.
 * The shipment is answered only once every version is durable on all its replicas, or, where a node failed
 * to take its share, on a write quorum through a coordinator that leaves hints for the rest; anything less
 * fails the whole shipment, and the sender ships it again.
 */
@Injectable()
export class RemoteApplier {
  private readonly logger = new Logger(RemoteApplier.name);

  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
    private readonly region: RegionViewService,
    @InjectMetric(Metric.replicationApplied) private readonly applied: Counter<string>,
    @InjectMetric(Metric.replicationDelay) private readonly delay: Histogram<string>,
  ) {}

  async apply(shipment: ShipmentRequest): Promise<ShipmentResult> {
    const { versions } = shipment;
    if (versions.length === 0) return { applied: 0, incarnation: REPLICATOR_INCARNATION };
    const placements = this.placementsOf(versions);
    const strategies = this.strategiesFor(shipment);
    const replication: Record<string, ReplicaQuorum> = {};
    for (const keyspace of Object.keys(strategies)) replication[keyspace] = this.region.replicationOf(keyspace, 'write');
    const changed = new Set<number>();
    const failed = new Map<string, unknown>();
    const ringEpoch = this.region.epoch;
    await Promise.all(
      [...planDeliveries(placements).values()].map(async ({ node, indexes, hints }) => {
        const request: ApplyRemoteRequest = {
          requestId: shipment.requestId,
          versions: indexes.map((index) => versions[index]),
          strategies,
          replication,
          asReplica: { ringEpoch, hints },
        };
        try {
          const result = await this.applyOn(node, request);
          for (const position of result.changed) changed.add(indexes[position]);
        } catch (error) {
          failed.set(node, error);
        }
      }),
    );
    if (failed.size > 0) await this.coordinateAround(shipment, placements, failed, { strategies, replication }, changed);
    this.recordApplied(shipment, changed.size);
    return { applied: changed.size, incarnation: REPLICATOR_INCARNATION };
  }

  /**
   * The versions that failed nodes should have taken go to a coordinator that did not fail, which forwards
   * them to the key's replicas (the failed one included, or a hint for it) and answers once W have them.
   */
  private async coordinateAround(
    shipment: ShipmentRequest,
    placements: readonly KeyPlacement[],
    failed: ReadonlyMap<string, unknown>,
    policy: Pick<ApplyRemoteRequest, 'strategies' | 'replication'>,
    changed: Set<number>,
  ): Promise<void> {
    for (const [node, error] of failed) {
      this.logger.warn({ requestId: shipment.requestId, node, reason: describeFailure(error) }, 'a replica did not take its share of a shipment; coordinators apply it with hints');
    }
    const { byCoordinator, stranded } = planFallback(placements, new Set(failed.keys()));
    if (stranded.length > 0) {
      throw new RpcException({ code: ErrorCode.InsufficientReplicas, message: `no replica here could take ${stranded.length} of the shipment's versions` });
    }
    await Promise.all(
      [...byCoordinator].map(async ([node, indexes]) => {
        const request: ApplyRemoteRequest = { requestId: shipment.requestId, versions: indexes.map((index) => shipment.versions[index]), ...policy };
        const result = await this.applyOn(node, request);
        for (const position of result.changed) changed.add(indexes[position]);
      }),
    );
  }

  /**
   * The node's apply, given up as soon as membership holds the node down: a node that died holding it
   * would otherwise keep the shipment waiting for the whole shipment deadline.
   */
  private async applyOn(node: string, request: ApplyRemoteRequest): Promise<ApplyRemoteResult> {
    const watch = this.region.watchDown(node);
    try {
      return await Promise.race([
        this.local.request<ApplyRemoteResult>(addressTo(StoragePatterns.applyRemote, node), request, this.config.GEOKV_SHIPMENT_TIMEOUT_MS),
        watch.down,
      ]);
    } finally {
      watch.stop();
    }
  }

  private placementsOf(versions: readonly ReplicatedVersion[]): KeyPlacement[] {
    return versions.map((version) => {
      const placement = this.region.placementOf(version.keyspace, version.key);
      if (placement === null || firstCounting(placement.targets) === null) {
        throw new RpcException({ code: ErrorCode.RingUnavailable, message: 'no storage node of this region can take the versions yet' });
      }
      return placement;
    });
  }

  private recordApplied(shipment: ShipmentRequest, applied: number): void {
    const durableAtMs = Date.now();
    for (const version of shipment.versions) {
      this.delay.observe({ origin: version.originRegion }, Math.max(0, durableAtMs - version.hlcWallMs) / 1000);
    }
    this.applied.inc({ source: shipment.sourceRegion, outcome: 'applied' }, applied);
    this.applied.inc({ source: shipment.sourceRegion, outcome: 'known' }, shipment.versions.length - applied);
    this.logger.debug({ requestId: shipment.requestId, source: shipment.sourceRegion, versions: shipment.versions.length, applied }, 'shipment applied');
  }

  /** This region's strategy for each keyspace it knows; the sender's for one it does not know yet. */
  private strategiesFor(shipment: ShipmentRequest): Record<string, ConflictResolution> {
    const strategies: Record<string, ConflictResolution> = {};
    for (const [keyspace, theirs] of Object.entries(shipment.strategies)) strategies[keyspace] = this.region.strategyOf(keyspace) ?? theirs;
    return strategies;
  }
}
