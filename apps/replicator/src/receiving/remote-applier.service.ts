import { Inject, Injectable, Logger } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { RpcException } from '@nestjs/microservices';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { APP_CONFIG } from '@geokv/config';
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
import { transportCall } from '../region/transport-call';
import { REPLICATOR_INCARNATION } from './incarnation';
import type { ReplicatorConfig } from '../replicator.config';

/**
 * Applies a shipment from a peer region: each version goes to the local node that owns its key, which
 * merges it exactly as it merges a local write. The shipment is answered only once every node has made
 * its part durable; any failure fails the whole shipment, and the sender ships it again.
 */
@Injectable()
export class RemoteApplier {
  private readonly logger = new Logger(RemoteApplier.name);

  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: ClientProxy,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
    private readonly region: RegionViewService,
    @InjectMetric(Metric.replicationApplied) private readonly applied: Counter<string>,
  ) {}

  async apply(shipment: ShipmentRequest): Promise<ShipmentResult> {
    if (shipment.versions.length === 0) return { applied: 0, incarnation: REPLICATOR_INCARNATION };
    const byNode = this.groupByCoordinator(shipment.versions);
    const strategies = this.strategiesFor(shipment);
    const replication: Record<string, ReplicaQuorum> = {};
    for (const keyspace of Object.keys(strategies)) replication[keyspace] = this.region.replicationOf(keyspace, 'write');
    const results = await Promise.all(
      [...byNode].map(([nodeId, versions]) => {
        const request: ApplyRemoteRequest = { requestId: shipment.requestId, versions, strategies, replication };
        return transportCall<ApplyRemoteResult>(this.local, addressTo(StoragePatterns.applyRemote, nodeId), request, this.config.GEOKV_SHIPMENT_TIMEOUT_MS);
      }),
    );
    const applied = results.reduce((sum, result) => sum + result.applied, 0);
    this.applied.inc({ source: shipment.sourceRegion, outcome: 'applied' }, applied);
    this.applied.inc({ source: shipment.sourceRegion, outcome: 'known' }, shipment.versions.length - applied);
    this.logger.debug({ requestId: shipment.requestId, source: shipment.sourceRegion, versions: shipment.versions.length, applied }, 'shipment applied');
    return { applied, incarnation: REPLICATOR_INCARNATION };
  }

  /** Each version goes to its key's coordinator here, which merges it and hands it to the key's other replicas. */
  private groupByCoordinator(versions: readonly ReplicatedVersion[]): Map<string, ReplicatedVersion[]> {
    const byNode = new Map<string, ReplicatedVersion[]>();
    for (const version of versions) {
      const owner = this.region.coordinatorOf(version.keyspace, version.key);
      if (owner === null) throw new RpcException({ code: ErrorCode.RingUnavailable, message: 'no storage node of this region can take the versions yet' });
      const group = byNode.get(owner) ?? [];
      group.push(version);
      byNode.set(owner, group);
    }
    return byNode;
  }

  /** This region's strategy for each keyspace it knows; the sender's for one it does not know yet. */
  private strategiesFor(shipment: ShipmentRequest): Record<string, ConflictResolution> {
    const strategies: Record<string, ConflictResolution> = {};
    for (const [keyspace, theirs] of Object.entries(shipment.strategies)) strategies[keyspace] = this.region.strategyOf(keyspace) ?? theirs;
    return strategies;
  }
}
