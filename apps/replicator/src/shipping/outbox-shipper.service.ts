import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { APP_CONFIG, type PersistentReplyRedisClient } from '@geokv/config';
import { Metric } from '@geokv/observability';
import {
  regionAddressed,
  ReplicationPatterns,
  type ReplicationStatus,
  type ShipmentRequest,
  type ShipmentResult,
} from '@geokv/protocol';
import { RegionViewService } from '../region/region-view.service';
import { LOCAL_TRANSPORT } from '../region/tokens';
import { describeFailure } from '../region/describe-failure';
import type { ReplicatorConfig } from '../replicator.config';
import { PROBE_INTERVAL_MS, type PeerLink } from './peer-link';
import { PeerLinks } from './peer-links';
import { ShardStream } from './shard-stream';

/** A stream that has not counted its pending rows for this long (its shipments hang) counts them afresh. */
const PENDING_STALE_AFTER_MS = 1_000;

/**
 * Ships every local shard's outbox to every peer region: one ShardStream per (peer, storage node), started
 * as nodes appear in the ring. Also probes quiet links, and keeps the lag and backlog gauges current.
 */
@Injectable()
export class OutboxShipper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxShipper.name);
  private readonly streams = new Map<string, ShardStream>();
  private stopping = false;
  private supervisor?: NodeJS.Timeout;

  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
    private readonly region: RegionViewService,
    @InjectMetric(Metric.replicationLag) private readonly lag: Gauge<string>,
    @InjectMetric(Metric.replicationBacklog) private readonly backlog: Gauge<string>,
    @InjectMetric(Metric.replicationShipped) private readonly shipped: Counter<string>,
    private readonly peers: PeerLinks,
  ) {}

  private get links(): readonly PeerLink[] {
    return this.peers.all;
  }

  onApplicationBootstrap(): void {
    this.supervisor = setInterval(() => this.supervise(), 250);
    for (const link of this.links) void this.probeLoop(link);
  }

  onApplicationShutdown(): void {
    this.stopping = true;
    clearInterval(this.supervisor);
    for (const stream of this.streams.values()) stream.stop();
  }

  status(): ReplicationStatus {
    const now = Date.now();
    return { region: this.config.GEOKV_REGION, peers: this.links.map((link) => link.status(now)) };
  }

  /** Starts a stream for every (peer, node) pair that has none, refreshes stale backlogs and the gauges. */
  private supervise(): void {
    const now = Date.now();
    for (const link of this.links) {
      const labels = { source: this.config.GEOKV_REGION, target: link.region };
      this.lag.set(labels, link.lagSeconds(now));
      this.backlog.set(labels, link.backlog());
      for (const nodeId of this.region.nodeIds()) {
        const id = `${link.region}\n${nodeId}`;
        const existing = this.streams.get(id);
        if (existing !== undefined) {
          void existing.refreshPendingIfStale(PENDING_STALE_AFTER_MS);
          continue;
        }
        const stream = new ShardStream(link, nodeId, {
          local: this.local,
          config: this.config,
          logger: this.logger,
          strategiesFor: (keyspaces) => this.region.strategiesFor(keyspaces),
          onShipped: (count) => this.shipped.inc({ source: this.config.GEOKV_REGION, target: link.region }, count),
        });
        this.streams.set(id, stream);
        void stream.run();
      }
    }
  }

  /** An empty shipment now and then: it proves the peer's replicator answers when there is nothing to send. */
  private async probeLoop(link: PeerLink): Promise<void> {
    while (!this.stopping) {
      await sleep(PROBE_INTERVAL_MS);
      if (this.stopping || link.msSinceContact(Date.now()) < PROBE_INTERVAL_MS) continue;
      try {
        const probe: ShipmentRequest = { requestId: `probe-${randomUUID()}`, sourceRegion: this.config.GEOKV_REGION, versions: [], strategies: {} };
        const sentAtMs = Date.now();
        const answer = await link.client.request<ShipmentResult>(regionAddressed(ReplicationPatterns.ship, link.region), probe, this.config.GEOKV_RPC_TIMEOUT_MS);
        const nowMs = Date.now();
        link.recordRoundTrip(nowMs - sentAtMs, nowMs);
        link.recordContact(nowMs, answer.incarnation);
      } catch (error) {
        link.recordFailure(describeFailure(error));
      }
    }
  }
}
