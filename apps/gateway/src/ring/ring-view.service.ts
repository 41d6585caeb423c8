import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { APP_CONFIG } from '@geokv/config';
import { Metric } from '@geokv/observability';
import type { RegionRing } from '@geokv/partitioning';
import { ErrorCode, MembershipPatterns, placementKey, regionRingOf, upAcceptorNodeOf, type NodeView, type RingView } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import type { GatewayConfig } from '../gateway.config';
import { RpcClient } from '../rpc/rpc-client';

/**
 * The ring this gateway routes by. It follows membership's epochs without a restart: pushed views arrive
 * as events, and a poll catches any event the lossy transport dropped. An older epoch is ignored.
 */
@Injectable()
export class RingViewService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RingViewService.name);
  private view: RingView | null = null;
  private placement: RegionRing | null = null;
  private nodesById = new Map<string, NodeView>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly rpc: RpcClient,
    @Inject(APP_CONFIG) private readonly config: GatewayConfig,
    @InjectMetric(Metric.ringNodes) private readonly ringNodes: Gauge<string>,
    @InjectMetric(Metric.ringEpoch) private readonly ringEpoch: Gauge<string>,
  ) {}

  onApplicationBootstrap(): void {
    void this.poll();
    this.timer = setInterval(() => void this.poll(), this.config.GEOKV_RING_POLL_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Adopts a view if it is newer than the one held; returns whether it did. */
  apply(view: RingView): boolean {
    if (this.view !== null && view.epoch <= this.view.epoch) return false;
    this.view = view;
    this.nodesById = new Map(view.nodes.map((node) => [node.id, node]));
    this.placement = view.members.length === 0 ? null : regionRingOf(view);
    this.ringEpoch.set(view.epoch);
    this.ringNodes.set({ status: 'up' }, view.nodes.filter((node) => node.status === 'up').length);
    this.ringNodes.set({ status: 'down' }, view.nodes.filter((node) => node.status === 'down').length);
    this.logger.log({ epoch: view.epoch, nodes: view.nodes.map((node) => `${node.id}:${node.status}`) }, 'ring updated');
    return true;
  }

  get current(): RingView | null {
    return this.view;
  }

  isReady(): boolean {
    return this.placement !== null;
  }

  /**
   * The nodes that may coordinate a write of the key, best first: its up home replicas (the coordinator also
   * hands the write to a stand-in, with a hint, for each down one). Fails fast, before anything is written,
   * when fewer home replicas are up than the write quorum: INSUFFICIENT_REPLICAS, or NODE_UNAVAILABLE for a
   * single replica.
   */
  writeCoordinators(keyspace: string, key: string, replicas: number, quorum: number): string[] {
    const ring = this.requireRing();
    const where = placementKey(keyspace, key);
    const targets = ring.writeTargets(where, replicas).filter((target) => target.counts);
    const needed = Math.min(quorum, ring.effectiveReplicas(replicas));
    if (targets.length < needed) throw this.tooFewReplicas(ring.homeReplicas(where, replicas), targets.length, needed, 'write');
    return targets.map((target) => target.node);
  }

  /**
   * The nodes that may coordinate a read of the key: its up home replicas. A down home replica's keys are
   * never read from a stand-in, which may lack them (a false 404); with fewer than R home replicas up the
   * read fails like a write.
   */
  readCoordinators(keyspace: string, key: string, replicas: number, quorum: number): string[] {
    const ring = this.requireRing();
    const where = placementKey(keyspace, key);
    const targets = ring.readTargets(where, replicas);
    const needed = Math.min(quorum, ring.effectiveReplicas(replicas));
    if (targets.length < needed) throw this.tooFewReplicas(ring.homeReplicas(where, replicas), targets.length, needed, 'read');
    return targets;
  }

  /**
   * The node that holds the key's CASPaxos acceptor state in this region (its primary replica) when it is
   * up; null when it is down or no ring is known, and then this region does not vote on the key.
   */
  acceptorOf(keyspace: string, key: string): string | null {
    return this.placement === null ? null : upAcceptorNodeOf(this.placement, keyspace, key);
  }

  private tooFewReplicas(homes: readonly string[], up: number, needed: number, operation: 'read' | 'write'): ApiError {
    if (homes.length === 1) return new ApiError(ErrorCode.NodeUnavailable, `storage node ${homes[0]}, which holds this key, is down`);
    return new ApiError(ErrorCode.InsufficientReplicas, `only ${up} of this key's ${homes.length} replicas are up; its ${operation} quorum is ${needed}`);
  }

  /** Every registered node, for scatter-gather operations; fails if any is down. */
  allNodesUp(): NodeView[] {
    this.requireRing();
    const nodes = [...this.nodesById.values()];
    const down = nodes.filter((node) => node.status !== 'up').map((node) => node.id);
    if (down.length > 0) {
      throw new ApiError(ErrorCode.NodeUnavailable, `storage nodes ${down.join(', ')} are down; a complete listing is not possible`);
    }
    return nodes;
  }

  private requireRing(): RegionRing {
    if (this.placement === null) {
      throw new ApiError(ErrorCode.RingUnavailable, 'this gateway has no ring yet: membership has not published one');
    }
    return this.placement;
  }

  private async poll(): Promise<void> {
    try {
      this.apply(await this.rpc.request<RingView>(MembershipPatterns.ring, {}));
    } catch (error) {
      this.logger.warn({ err: error }, 'could not fetch the ring from membership; keeping the current one');
    }
  }
}
