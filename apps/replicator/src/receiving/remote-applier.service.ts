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
import { OwedDeliveries } from './owed-deliveries';
import { ShipmentQuorum } from './shipment-quorum';
import type { ReplicatorConfig } from '../replicator.config';

/** How many deliveries of answered shipments one node may owe before shipments wait for it again. */
const MAX_OWED_PER_NODE = 32;

/** How a shipment's apply answers; see RemoteApplier.apply. */
export type ApplyAnswer = 'at-quorum' | 'when-all-applied';

/** A shipment's deliveries to this region's nodes, as they answer. */
interface DeliveryProgress {
  /** Every version is on a write quorum of its home replicas, or every delivery has answered. */
  readonly durable: Promise<void>;
  /** Every delivery has answered, and the shares of those that failed went through a coordinator. */
  readonly completion: Promise<void>;
  /** Nodes whose delivery has not answered yet. */
  readonly unanswered: ReadonlySet<string>;
  /** Shipment indexes of the versions that changed some replica so far. */
  readonly changed: ReadonlySet<number>;
}

/**
 * Applies a shipment from a peer region. Every version goes to each of its key's replicas here at once, and
 * each node merges it exactly as it merges a local write, so the outcome does not depend on arrival order.
 * A version a node failed to take goes through a coordinator that forwards it to the key's replicas or
 * leaves hints for them; a version no replica could take fails the whole shipment, and the sender ships it
 * again.
 */
@Injectable()
export class RemoteApplier {
  private readonly logger = new Logger(RemoteApplier.name);
  private readonly owed = new OwedDeliveries(MAX_OWED_PER_NODE);

  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
    private readonly region: RegionViewService,
    @InjectMetric(Metric.replicationApplied) private readonly applied: Counter<string>,
    @InjectMetric(Metric.replicationDelay) private readonly delay: Histogram<string>,
  ) {}

  /**
   * `at-quorum` (a peer's shipment) answers once every version is committed on a write quorum of its home
   * replicas (ShipmentQuorum): the other deliveries finish behind the answer, and their failures still go
   * through a coordinator. `when-all-applied` (anti-entropy, which reports what it repaired) waits for every
   * delivery and counts every change.
   */
  async apply(shipment: ShipmentRequest, answer: ApplyAnswer = 'when-all-applied'): Promise<ShipmentResult> {
    if (shipment.versions.length === 0) return { applied: 0, incarnation: REPLICATOR_INCARNATION };
    const progress = this.deliver(shipment);
    if (answer === 'at-quorum') await progress.durable;
    if (answer === 'at-quorum' && progress.unanswered.size > 0 && this.owed.mayLeaveBehind(progress.unanswered)) {
      this.finishBehind(shipment, [...progress.unanswered], progress.completion);
    } else {
      await progress.completion;
    }
    this.recordDelay(shipment);
    return { applied: progress.changed.size, incarnation: REPLICATOR_INCARNATION };
  }

  /** Sends every node its share of the shipment at once, and follows their answers. */
  private deliver(shipment: ShipmentRequest): DeliveryProgress {
    const { versions } = shipment;
    const placements = this.placementsOf(versions);
    const strategies = this.strategiesFor(shipment);
    const replication: Record<string, ReplicaQuorum> = {};
    for (const keyspace of Object.keys(strategies)) replication[keyspace] = this.region.replicationOf(keyspace, 'write');
    const policy = { strategies, replication };
    // A keyspace the sender gave no strategy for fails at the nodes; its versions never answer early.
    const quorum = new ShipmentQuorum(placements, (index) => replication[versions[index].keyspace]?.quorum ?? Number.POSITIVE_INFINITY);
    const changed = new Set<number>();
    const failed = new Map<string, unknown>();
    const unanswered = new Set<string>();
    let reachQuorum!: () => void;
    const quorumReached = new Promise<void>((resolve) => (reachQuorum = resolve));
    const ringEpoch = this.region.epoch;
    const everyDelivery = Promise.all(
      [...planDeliveries(placements).values()].map(async ({ node, indexes, hints }) => {
        unanswered.add(node);
        const request: ApplyRemoteRequest = { requestId: shipment.requestId, versions: indexes.map((index) => versions[index]), ...policy, asReplica: { ringEpoch, hints } };
        try {
          const result = await this.applyOn(node, request);
          for (const position of result.changed) changed.add(indexes[position]);
          if (quorum.committed(node, indexes)) reachQuorum();
        } catch (error) {
          failed.set(node, error);
        } finally {
          unanswered.delete(node);
        }
      }),
    );
    const completion = everyDelivery.then(async () => {
      if (failed.size > 0) await this.coordinateAround(shipment, placements, failed, policy, changed);
      this.countApplied(shipment, changed.size);
    });
    return { durable: Promise.race([everyDelivery.then(() => undefined), quorumReached]), completion, unanswered, changed };
  }

  /**
   * The shipment is answered; its remaining deliveries complete behind it. A failure among them is handled
   * as before the answer (a coordinator forwards those versions or leaves hints); only if that fails too is a
   * replica left short of them, for read repair or the hints of a later write to mend, as when a
   * coordinator dies after acknowledging a write at its quorum.
   */
  private finishBehind(shipment: ShipmentRequest, nodes: readonly string[], completion: Promise<void>): void {
    this.owed.owe(nodes);
    completion
      .catch((error: unknown) => {
        this.logger.error(
          { requestId: shipment.requestId, source: shipment.sourceRegion, reason: describeFailure(error) },
          'after a shipment was answered at its write quorum, a replica could not take its share, nor could a coordinator',
        );
      })
      .finally(() => this.owed.settle(nodes));
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

  /** From each version's write in its origin region to now, when the shipment is durable here. */
  private recordDelay(shipment: ShipmentRequest): void {
    const durableAtMs = Date.now();
    for (const version of shipment.versions) {
      this.delay.observe({ origin: version.originRegion }, Math.max(0, durableAtMs - version.hlcWallMs) / 1000);
    }
  }

  /** Once every delivery has answered: how many of the versions changed a replica here. */
  private countApplied(shipment: ShipmentRequest, applied: number): void {
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
