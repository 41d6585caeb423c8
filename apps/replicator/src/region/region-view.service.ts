import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { APP_CONFIG } from '@geokv/config';
import { Ring } from '@geokv/partitioning';
import { MembershipPatterns, placementKey, type Catalog, type ConflictResolution, type RingView } from '@geokv/protocol';
import type { ReplicatorConfig } from '../replicator.config';
import { describeFailure, transportCall } from './transport-call';
import { LOCAL_TRANSPORT } from './tokens';

/**
 * What the replicator needs to know about its own region, refreshed from membership on a timer: which
 * storage nodes exist (each has an outbox to ship), who owns a key (where an incoming version goes), and
 * each keyspace's conflict strategy.
 */
@Injectable()
export class RegionViewService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RegionViewService.name);
  private view: RingView | null = null;
  private ring: Ring | null = null;
  private strategies = new Map<string, ConflictResolution>();
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: ClientProxy,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.GEOKV_RING_POLL_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  isReady(): boolean {
    return this.ring !== null;
  }

  /** Every storage node of the region, up or down: a down node's outbox is shipped once it is back. */
  nodeIds(): string[] {
    return this.view?.nodes.map((node) => node.id) ?? [];
  }

  /** The node that holds the key in this region; null before the first ring arrives. */
  ownerOf(keyspace: string, key: string): string | null {
    return this.ring?.ownerOf(placementKey(keyspace, key)) ?? null;
  }

  /** The keyspace's strategy here, or undefined for a keyspace this region does not know (yet). */
  strategyOf(keyspace: string): ConflictResolution | undefined {
    return this.strategies.get(keyspace);
  }

  /**
   * The strategy of each keyspace, for a message of versions to another region or node. A keyspace this
   * region does not know (its definition has not arrived yet) travels as lww, the default keyspace's.
   */
  strategiesFor(keyspaces: Iterable<string>): Record<string, ConflictResolution> {
    const strategies: Record<string, ConflictResolution> = {};
    for (const keyspace of keyspaces) strategies[keyspace] ??= this.strategyOf(keyspace) ?? 'lww';
    return strategies;
  }

  private async refresh(): Promise<void> {
    try {
      const timeoutMs = this.config.GEOKV_RPC_TIMEOUT_MS;
      const [view, catalog] = await Promise.all([
        transportCall<RingView>(this.local, MembershipPatterns.ring, {}, timeoutMs),
        transportCall<Catalog>(this.local, MembershipPatterns.catalog, {}, timeoutMs),
      ]);
      this.strategies = new Map(catalog.keyspaces.map((policy) => [policy.name, policy.conflictResolution]));
      if (this.view === null || view.epoch > this.view.epoch) {
        this.view = view;
        this.ring = view.nodes.length === 0 ? null : new Ring(view.nodes.map((node) => ({ id: node.id })), { vnodesPerNode: view.vnodesPerNode });
      }
    } catch (error) {
      this.logger.warn({ reason: describeFailure(error) }, 'could not refresh the ring and catalog from membership');
    }
  }
}
