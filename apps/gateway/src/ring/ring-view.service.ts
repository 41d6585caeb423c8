import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Gauge } from 'prom-client';
import { APP_CONFIG } from '@geokv/config';
import { Metric } from '@geokv/observability';
import { Ring } from '@geokv/partitioning';
import { ErrorCode, MembershipPatterns, placementKey, type NodeView, type RingView } from '@geokv/protocol';
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
  private ring: Ring | null = null;
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
    const previous = this.view;
    this.view = view;
    this.nodesById = new Map(view.nodes.map((node) => [node.id, node]));
    if (previous === null || !sameMembers(previous, view)) {
      this.ring = view.nodes.length === 0 ? null : new Ring(view.nodes.map((node) => ({ id: node.id })), { vnodesPerNode: view.vnodesPerNode });
    }
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
    return this.ring !== null;
  }

  /**
   * The node that coordinates the key. Ownership does not move when a node is down: with one replica its
   * keys are unavailable (503) until it is back, rather than served wrongly by a node that lacks them.
   */
  coordinatorOf(keyspace: string, key: string): NodeView {
    const node = this.nodesById.get(this.requireRing().ownerOf(placementKey(keyspace, key)))!;
    if (node.status !== 'up') {
      throw new ApiError(ErrorCode.NodeUnavailable, `storage node ${node.id}, which holds this key, is down`);
    }
    return node;
  }

  /** Every node of the ring, for scatter-gather operations; fails if any is down. */
  allNodesUp(): NodeView[] {
    this.requireRing();
    const nodes = [...this.nodesById.values()];
    const down = nodes.filter((node) => node.status !== 'up').map((node) => node.id);
    if (down.length > 0) {
      throw new ApiError(ErrorCode.NodeUnavailable, `storage nodes ${down.join(', ')} are down; a complete listing is not possible`);
    }
    return nodes;
  }

  private requireRing(): Ring {
    if (this.ring === null) {
      throw new ApiError(ErrorCode.RingUnavailable, 'this gateway has no ring yet: membership has not published one');
    }
    return this.ring;
  }

  private async poll(): Promise<void> {
    try {
      this.apply(await this.rpc.request<RingView>(MembershipPatterns.ring, {}));
    } catch (error) {
      this.logger.warn({ err: error }, 'could not fetch the ring from membership; keeping the current one');
    }
  }
}

function sameMembers(a: RingView, b: RingView): boolean {
  if (a.vnodesPerNode !== b.vnodesPerNode || a.nodes.length !== b.nodes.length) return false;
  const ids = new Set(a.nodes.map((node) => node.id));
  return b.nodes.every((node) => ids.has(node.id));
}
