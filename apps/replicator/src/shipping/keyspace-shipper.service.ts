import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, type PersistentReplyRedisClient } from '@geokv/config';
import { MembershipPatterns, regionAddressed, ReplicationPatterns, type KeyspaceDefinition, type KeyspacesShipment } from '@geokv/protocol';
import { PeriodicTask } from '@geokv/bootstrap';
import { RegionViewService } from '../region/region-view.service';
import { LOCAL_TRANSPORT } from '../region/tokens';
import { describeFailure } from '../region/describe-failure';
import type { ReplicatorConfig } from '../replicator.config';
import { PeerLinks } from './peer-links';

/** Definitions are re-sent this often even when unchanged, so a peer that lost them gets them back. */
const RESEND_INTERVAL_MS = 30_000;

/**
 * Keeps every peer's keyspace definitions in step with this region's. Each tick reads the definitions from
 * membership only when the catalog's version (as the region view last fetched it) has moved, and sends them
 * to every peer whose last successful copy is of another version or old; the peer adopts each definition
 * only if it is newer than its own (last writer wins), so sending all of them is safe. Reading and
 * comparing all definitions every tick (every second) cost an idle region with 3,000 keyspaces a few
 * percent of a core.
 */
@Injectable()
export class KeyspaceShipper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(KeyspaceShipper.name);
  /** The local definitions last read, with the catalog version they were read at. */
  private held: { version: number; definitions: KeyspaceDefinition[] } | null = null;
  private readonly lastSent = new Map<string, { version: number; atMs: number }>();
  private readonly schedule: PeriodicTask;

  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
    private readonly peers: PeerLinks,
    private readonly region: RegionViewService,
  ) {
    this.schedule = new PeriodicTask(config.GEOKV_RING_POLL_INTERVAL_MS, () => this.tick());
  }

  onApplicationBootstrap(): void {
    if (this.peers.all.length > 0) this.schedule.start();
  }

  onApplicationShutdown(): void {
    this.schedule.stop();
  }

  private async tick(): Promise<void> {
    try {
      const timeoutMs = this.config.GEOKV_RPC_TIMEOUT_MS;
      const catalogVersion = this.region.catalogVersion;
      if (catalogVersion < 0) return;
      if (this.held?.version !== catalogVersion) {
        const definitions = await this.local.request<KeyspaceDefinition[]>(MembershipPatterns.definitions, {}, timeoutMs);
        this.held = { version: catalogVersion, definitions };
      }
      const { version, definitions } = this.held;
      const now = Date.now();
      await Promise.all(
        this.peers.all.map(async (link) => {
          const last = this.lastSent.get(link.region);
          if (last !== undefined && last.version === version && now - last.atMs < RESEND_INTERVAL_MS) return;
          const shipment: KeyspacesShipment = { requestId: `keyspaces-${randomUUID()}`, sourceRegion: this.config.GEOKV_REGION, definitions };
          try {
            await link.client.request(regionAddressed(ReplicationPatterns.keyspaces, link.region), shipment, timeoutMs);
            this.lastSent.set(link.region, { version, atMs: now });
          } catch (error) {
            this.logger.debug({ peer: link.region, reason: describeFailure(error) }, 'keyspace definitions not delivered; will retry');
          }
        }),
      );
    } catch (error) {
      this.logger.warn({ reason: describeFailure(error) }, 'could not read the keyspace definitions from membership');
    }
  }
}
