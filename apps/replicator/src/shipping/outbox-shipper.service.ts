import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import type { ClientProxy } from '@nestjs/microservices';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Gauge } from 'prom-client';
import { APP_CONFIG } from '@geokv/config';
import { Metric } from '@geokv/observability';
import {
  addressTo,
  regionAddressed,
  ReplicationPatterns,
  StoragePatterns,
  type ConflictResolution,
  type OutboxAckRequest,
  type OutboxReadRequest,
  type OutboxReadResult,
  type ReplicationStatus,
  type ShipmentRequest,
  type ShipmentResult,
} from '@geokv/protocol';
import { RegionViewService } from '../region/region-view.service';
import { LOCAL_TRANSPORT } from '../region/tokens';
import { describeFailure, transportCall } from '../region/transport-call';
import type { ReplicatorConfig } from '../replicator.config';
import type { PeerLink } from './peer-link';
import { PeerLinks } from './peer-links';

/** How often links with nothing to ship are probed, so that the status shows a dead link without traffic. */
const PROBE_INTERVAL_MS = 2_000;

/**
 * Ships every local shard's outbox to every peer region. One loop per (peer, storage node) reads the
 * rows that peer has not acknowledged, publishes them on the peer's Redis, waits for the peer to answer
 * that they are durable there, and only then advances the peer's cursor on the node. A failure anywhere
 * leaves the cursor where it was, so the same rows go again later: delivery is at least once, and the
 * receiving merge makes a replay change nothing.
 */
@Injectable()
export class OutboxShipper implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxShipper.name);
  private readonly loops = new Set<string>();
  private stopping = false;
  private supervisor?: NodeJS.Timeout;

  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: ClientProxy,
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
  }

  status(): ReplicationStatus {
    const now = Date.now();
    return { region: this.config.GEOKV_REGION, peers: this.links.map((link) => link.status(now)) };
  }

  /** Starts a loop for every (peer, node) pair that has none, and refreshes the gauges. */
  private supervise(): void {
    const now = Date.now();
    for (const link of this.links) {
      const labels = { source: this.config.GEOKV_REGION, target: link.region };
      this.lag.set(labels, link.lagSeconds(now));
      this.backlog.set(labels, link.backlog());
      for (const nodeId of this.region.nodeIds()) {
        const id = `${link.region}\n${nodeId}`;
        if (this.loops.has(id)) continue;
        this.loops.add(id);
        void this.shipLoop(link, nodeId);
      }
    }
  }

  private async shipLoop(link: PeerLink, nodeId: string): Promise<void> {
    while (!this.stopping) {
      const ok = await this.shipOnce(link, nodeId);
      if (!ok && !this.stopping) await sleep(this.config.GEOKV_REPLICATION_RETRY_MS);
    }
  }

  /** One read → ship → acknowledge round; false when something failed and the loop should pause. */
  private async shipOnce(link: PeerLink, nodeId: string): Promise<boolean> {
    const requestId = `repl-${randomUUID()}`;
    const timeoutMs = this.config.GEOKV_RPC_TIMEOUT_MS;
    let page: OutboxReadResult;
    try {
      const read: OutboxReadRequest = { requestId, peer: link.region, limit: this.config.GEOKV_REPLICATION_BATCH, waitMs: this.config.GEOKV_REPLICATION_WAIT_MS };
      page = await transportCall(this.local, addressTo(StoragePatterns.outboxRead, nodeId), read, timeoutMs + read.waitMs);
    } catch (error) {
      this.logger.debug({ requestId, node: nodeId, reason: describeFailure(error) }, 'could not read the outbox');
      return false;
    }
    link.recordPending(nodeId, page.backlog, page.oldestPendingAtMs);
    if (page.versions.length === 0 || page.next === null) return true;

    try {
      const shipment: ShipmentRequest = {
        requestId,
        sourceRegion: this.config.GEOKV_REGION,
        versions: page.versions,
        strategies: this.strategiesFor(page.versions.map((version) => version.keyspace)),
      };
      await transportCall<ShipmentResult>(link.client, regionAddressed(ReplicationPatterns.ship, link.region), shipment, timeoutMs);
    } catch (error) {
      const reason = describeFailure(error);
      link.recordFailure(reason);
      this.logger.warn({ requestId, peer: link.region, node: nodeId, versions: page.versions.length, reason }, 'shipment failed; it will be retried');
      return false;
    }
    link.recordApplied(Date.now());
    this.shipped.inc({ source: this.config.GEOKV_REGION, target: link.region }, page.versions.length);

    try {
      const ack: OutboxAckRequest = { requestId, peer: link.region, position: page.next };
      await transportCall(this.local, addressTo(StoragePatterns.outboxAck, nodeId), ack, timeoutMs);
      const remaining = page.backlog - page.versions.length;
      // Until the next read says exactly, the oldest pending write is at most as old as this page's first.
      link.recordPending(nodeId, remaining, remaining > 0 ? page.oldestPendingAtMs : null);
    } catch (error) {
      // The peer has the rows; they will be shipped again and change nothing there.
      this.logger.warn({ requestId, peer: link.region, node: nodeId, reason: describeFailure(error) }, 'could not advance the cursor');
      return false;
    }
    return true;
  }

  /** An empty shipment now and then: it proves the peer's replicator answers when there is nothing to send. */
  private async probeLoop(link: PeerLink): Promise<void> {
    while (!this.stopping) {
      await sleep(PROBE_INTERVAL_MS);
      if (this.stopping || link.msSinceContact(Date.now()) < PROBE_INTERVAL_MS) continue;
      try {
        const probe: ShipmentRequest = { requestId: `probe-${randomUUID()}`, sourceRegion: this.config.GEOKV_REGION, versions: [], strategies: {} };
        await transportCall(link.client, regionAddressed(ReplicationPatterns.ship, link.region), probe, this.config.GEOKV_RPC_TIMEOUT_MS);
        link.recordContact(Date.now());
      } catch (error) {
        link.recordFailure(describeFailure(error));
      }
    }
  }

  private strategiesFor(keyspaces: readonly string[]): Record<string, ConflictResolution> {
    const strategies: Record<string, ConflictResolution> = {};
    for (const keyspace of keyspaces) strategies[keyspace] ??= this.region.strategyOf(keyspace) ?? 'lww';
    return strategies;
  }
}
