import { EventEmitter } from 'node:events';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type PersistentReplyRedisClient } from '@geokv/config';
import type { RegionRing } from '@geokv/partitioning';
import {
  upAcceptorNodeOf,
  targetAcceptorNodeOf,
  DEFAULT_KEYSPACE,
  MembershipPatterns,
  placementKey,
  regionRingOf,
  changedCatalogOf,
  type CatalogAnswer,
  type CatalogRequest,
  type ConflictResolution,
  type KeyspacePolicy,
  type ReplicaQuorum,
  type RingView,
} from '@geokv/protocol';
import type { KeyPlacement } from '../receiving/replica-deliveries';
import type { ReplicatorConfig } from '../replicator.config';
import { describeFailure } from './describe-failure';
import { LOCAL_TRANSPORT } from './tokens';

const VIEW_CHANGED = 'viewChanged';

/**
 * What the replicator needs to know about its own region, refreshed from membership on a timer: which
 * storage nodes exist (each has an outbox to ship), who owns a key (where an incoming version goes), and
 * each keyspace's conflict strategy.
 */
@Injectable()
export class RegionViewService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RegionViewService.name);
  private view: RingView | null = null;
  private ring: RegionRing | null = null;
  private policies = new Map<string, KeyspacePolicy>();
  private heldCatalogVersion = -1;
  private timer?: NodeJS.Timeout;
  /** Emits VIEW_CHANGED whenever a newer ring view is adopted. */
  private readonly changes = new EventEmitter().setMaxListeners(0);

  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: PersistentReplyRedisClient,
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

  /** The version of the keyspace catalog this replicator holds; -1 before the first arrives. */
  get catalogVersion(): number {
    return this.heldCatalogVersion;
  }

  /**
   * Every storage node of the region, up or down, members and standbys: a down node's outbox is shipped
   * once it is back, and a drained node's once it is drained.
   */
  nodeIds(): string[] {
    return this.view?.nodes.map((node) => node.id) ?? [];
  }

  /** The region's ring as membership last published it; null before the first arrives. */
  get current(): RingView | null {
    return this.view;
  }

  /** The epoch of the ring the placements come from; 0 before the first ring arrives. */
  get epoch(): number {
    return this.view?.epoch ?? 0;
  }

  /**
   * A promise that rejects once membership holds the node down (it died or stopped answering, and whatever
   * it was asked and has not answered will not be answered), and `stop`, after which it never settles.
   * A listener, not `once(…, { signal })`: that made an AbortController and an AbortError (with its stack)
   * for every apply of every shipment, about 4% of a busy replicator's CPU.
   */
  watchDown(nodeId: string): { readonly down: Promise<never>; stop(): void } {
    let stop = (): void => undefined;
    const down = new Promise<never>((_resolve, reject) => {
      const check = (): void => {
        if (!this.isDown(nodeId)) return;
        stop();
        reject(new Error(`membership holds ${nodeId} down`));
      };
      stop = () => this.changes.off(VIEW_CHANGED, check);
      this.changes.on(VIEW_CHANGED, check);
      check();
    });
    return { down, stop };
  }

  private isDown(nodeId: string): boolean {
    return this.view?.nodes.some((node) => node.id === nodeId && node.status === 'down') ?? false;
  }

  /** Where a write of the key goes in this region; null before the first ring arrives. */
  placementOf(keyspace: string, key: string): KeyPlacement | null {
    const policy = this.policies.get(keyspace) ?? DEFAULT_KEYSPACE;
    return this.ring?.writePlacement(placementKey(keyspace, key), policy.replicationFactor) ?? null;
  }

  /** The node that coordinates the key's quorum reads here: its first up home replica. */
  readCoordinatorOf(keyspace: string, key: string): string | null {
    const policy = this.policies.get(keyspace) ?? DEFAULT_KEYSPACE;
    return this.ring?.readTargets(placementKey(keyspace, key), policy.replicationFactor)[0] ?? null;
  }

  /**
   * The node holding the key's CASPaxos acceptor state here (its primary replica) if the ring is known and
   * that node is up; null otherwise, and then this region does not vote on the key.
   */
  acceptorOf(keyspace: string, key: string): string | null {
    return this.ring === null ? null : upAcceptorNodeOf(this.ring, keyspace, key);
  }

  /** The key's acceptor node once the rebalance in progress is done; null before a ring. */
  newAcceptorOf(keyspace: string, key: string): string | null {
    return this.ring === null ? null : targetAcceptorNodeOf(this.ring, keyspace, key);
  }

  /** The keyspace's replicas and write (or read) quorum here; a keyspace not known yet gets the default's. */
  replicationOf(keyspace: string, quorum: 'read' | 'write'): ReplicaQuorum {
    const policy = this.policies.get(keyspace) ?? DEFAULT_KEYSPACE;
    return { replicas: policy.replicationFactor, quorum: quorum === 'read' ? policy.readQuorum : policy.writeQuorum };
  }

  /** The keyspace's strategy here, or undefined for a keyspace this region does not know (yet). */
  strategyOf(keyspace: string): ConflictResolution | undefined {
    return this.policies.get(keyspace)?.conflictResolution;
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
      const catalogRequest: CatalogRequest = { heldVersion: this.heldCatalogVersion };
      const [view, answer] = await Promise.all([
        this.local.request<RingView>(MembershipPatterns.ring, {}, timeoutMs),
        this.local.request<CatalogAnswer>(MembershipPatterns.catalog, catalogRequest, timeoutMs),
      ]);
      const catalog = changedCatalogOf(answer);
      if (catalog !== null) {
        this.heldCatalogVersion = catalog.version;
        this.policies = new Map(catalog.keyspaces.map((policy) => [policy.name, policy]));
      }
      if (this.view === null || view.epoch > this.view.epoch) {
        this.view = view;
        this.ring = view.members.length === 0 ? null : regionRingOf(view);
        this.changes.emit(VIEW_CHANGED);
      }
    } catch (error) {
      this.logger.warn({ reason: describeFailure(error) }, 'could not refresh the ring and catalog from membership');
    }
  }
}
