import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type PersistentReplyRedisClient } from '@geokv/config';
import { RegionRing } from '@geokv/partitioning';
import {
  changedCatalogOf,
  DEFAULT_KEYSPACE,
  MembershipPatterns,
  regionRingOf,
  type Catalog,
  type CatalogAnswer,
  type CatalogRequest,
  type ConflictResolution,
  type KeyspacePolicy,
  type RingView,
} from '@geokv/protocol';
import type { StorageNodeConfig } from '../storage-node.config';
import { REGION_TRANSPORT } from './tokens';

const NO_RING = new RegionRing({ vnodesPerNode: 1, members: [], target: null, down: new Set() });

/**
 * The node's view of its region: the ring (with who is down and any rebalance in progress) and each
 * keyspace's policy. Events bring changes at once; a poll catches what the lossy transport dropped. An
 * older ring epoch is ignored.
 */
@Injectable()
export class RegionView implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RegionView.name);
  private view: RingView | null = null;
  private placement = NO_RING;
  private policies = new Map<string, KeyspacePolicy>();
  private deleted: ReadonlySet<string> = new Set();
  private readonly firstReplicas = new Map<string, number>();
  private catalogVersion = -1;
  /** A catalog fetch on its way, after an announcement of a newer version. */
  private catalogFetch: Promise<void> | null = null;
  /** A ring fetch on its way, after membership answered a heartbeat with a newer epoch. */
  private ringFetch: Promise<void> | null = null;
  private timer?: NodeJS.Timeout;

  constructor(
    @Inject(REGION_TRANSPORT) private readonly transport: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: StorageNodeConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.refresh();
    this.timer = setInterval(() => void this.refresh(), this.config.GEOKV_RING_POLL_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  get current(): RingView | null {
    return this.view;
  }

  /** The newest epoch adopted; 0 before the first ring. */
  get epoch(): number {
    return this.view?.epoch ?? 0;
  }

  get ring(): RegionRing {
    return this.placement;
  }

  get self(): string {
    return this.config.GEOKV_NODE_ID;
  }

  /** Whether the catalog has arrived: placement decisions that delete or move data wait for it. */
  get knowsKeyspaces(): boolean {
    return this.catalogVersion >= 0;
  }

  /** The ids of the region's nodes that are up, this one excepted. */
  otherNodesUp(): string[] {
    return (this.view?.nodes ?? []).filter((node) => node.status === 'up' && node.id !== this.self).map((node) => node.id);
  }

  /** The keyspace's replication factor; a keyspace not known here yet gets the default keyspace's. */
  replicasOf(keyspace: string): number {
    return (this.policies.get(keyspace) ?? DEFAULT_KEYSPACE).replicationFactor;
  }

  /**
   * The keyspace's replication factor in the first catalog this process adopted that had it: what writes it
   * took before a later change were replicated for.
   */
  firstReplicasOf(keyspace: string): number {
    return this.firstReplicas.get(keyspace) ?? this.replicasOf(keyspace);
  }

  /** Every keyspace of the catalog last adopted. */
  keyspacePolicies(): KeyspacePolicy[] {
    return [...this.policies.values()];
  }

  /** Whether the keyspace was deleted: its data is purged, and versions of it that still arrive are dropped. */
  isDeleted(keyspace: string): boolean {
    return this.deleted.has(keyspace);
  }

  deletedKeyspaces(): string[] {
    return [...this.deleted];
  }

  strategyOf(keyspace: string): ConflictResolution {
    return (this.policies.get(keyspace) ?? DEFAULT_KEYSPACE).conflictResolution;
  }

  /** Adopts a ring view if it is newer than the one held. */
  adopt(view: RingView): void {
    if (this.view !== null && view.epoch <= this.view.epoch) return;
    this.view = view;
    this.placement = regionRingOf(view);
  }

  adoptCatalog(catalog: Catalog): void {
    if (catalog.version < this.catalogVersion) return;
    this.catalogVersion = catalog.version;
    this.policies = new Map(catalog.keyspaces.map((policy) => [policy.name, policy]));
    this.deleted = new Set(catalog.deleted);
    for (const policy of catalog.keyspaces) if (!this.firstReplicas.has(policy.name)) this.firstReplicas.set(policy.name, policy.replicationFactor);
  }

  /** Fetches the ring when membership reports a newer epoch than this node holds (it missed the change's event). */
  catchUpRing(epoch: number): void {
    if (epoch <= this.epoch || this.ringFetch !== null) return;
    this.ringFetch = this.refresh().finally(() => {
      this.ringFetch = null;
    });
  }

  /** Fetches the catalog when membership announces a newer version than this node holds (it missed a change). */
  catchUpCatalog(version: number): void {
    if (version <= this.catalogVersion || this.catalogFetch !== null) return;
    this.catalogFetch = this.fetchCatalog().finally(() => {
      this.catalogFetch = null;
    });
  }

  private async fetchCatalog(): Promise<void> {
    try {
      await this.askCatalog();
    } catch (error) {
      this.logger.warn({ err: error }, 'could not fetch the keyspace catalog from membership; keeping the current one');
    }
  }

  /** Asks membership for the catalog, which answers only its version while this node's is current. */
  private async askCatalog(): Promise<void> {
    const request: CatalogRequest = { heldVersion: this.catalogVersion };
    const answer = await this.transport.request<CatalogAnswer>(MembershipPatterns.catalog, request, this.config.GEOKV_RPC_TIMEOUT_MS);
    const catalog = changedCatalogOf(answer);
    if (catalog !== null) this.adoptCatalog(catalog);
  }

  private async refresh(): Promise<void> {
    try {
      const [view] = await Promise.all([
        this.transport.request<RingView>(MembershipPatterns.ring, {}, this.config.GEOKV_RPC_TIMEOUT_MS),
        this.askCatalog(),
      ]);
      this.adopt(view);
    } catch (error) {
      this.logger.warn({ err: error }, 'could not refresh the ring and catalog from membership; keeping the current ones');
    }
  }
}
