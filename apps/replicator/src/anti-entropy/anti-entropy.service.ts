import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { APP_CONFIG, type PersistentReplyRedisClient } from '@geokv/config';
import { Metric } from '@geokv/observability';
import { encodeContext } from '@geokv/vector-clock';
import {
  addressTo,
  ANTI_ENTROPY_BUCKETS,
  byteGroups,
  regionAddressed,
  ReplicationPatterns,
  SHIPMENT_MAX_VALUE_BYTES,
  StoragePatterns,
  valueBytesOf,
  type AntiEntropyPeerReport,
  type AntiEntropyReport,
  type BucketDigestsRequest,
  type BucketDigestsResult,
  type BucketVersionsRequest,
  type BucketVersionsResult,
  type ConflictResolution,
  type NodeBucketVersions,
  type NodesRemaining,
  type RegionBucketVersionsRequest,
  type RegionBucketVersionsStep,
  type RegionDigestsRequest,
  type RegionDigestsStep,
  type ReplicatedVersion,
  type ShipmentRequest,
  type ShipmentResult,
  type VersionIdCursor,
} from '@geokv/protocol';
import { RemoteApplier } from '../receiving/remote-applier.service';
import { RegionViewService } from '../region/region-view.service';
import { LOCAL_TRANSPORT } from '../region/tokens';
import { describeFailure } from '../region/describe-failure';
import type { ReplicatorConfig } from '../replicator.config';
import type { PeerLink } from '../shipping/peer-link';
import { FIRST_EXCHANGE_WIDTH, nextExchangeWidth } from './exchange-width';
import { collectVersionsInSteps, mergeDigestSteps, remainingOf, scanTreeInSteps, type RegionTree } from './region-scan';
import { PeerLinks } from '../shipping/peer-links';

/**
 * Anti-entropy repairs what the outbox cannot: rows deleted behind geokv's back, a restored backup, a
 * version lost to a bug. Both regions build a Merkle tree over the same buckets of the hash space; only
 * the buckets whose digests differ are read, and within them only the versions one side lacks are sent
 * across, in both directions, to be merged like any replicated version (so a repair can never undo a
 * newer write).
 */
@Injectable()
export class AntiEntropyService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(AntiEntropyService.name);
  private timer?: NodeJS.Timeout;
  private running: Promise<AntiEntropyReport> | null = null;

  constructor(
    @Inject(LOCAL_TRANSPORT) private readonly local: PersistentReplyRedisClient,
    @Inject(APP_CONFIG) private readonly config: ReplicatorConfig,
    private readonly region: RegionViewService,
    private readonly peers: PeerLinks,
    private readonly applier: RemoteApplier,
    @InjectMetric(Metric.antiEntropyKeysCompared) private readonly keysCompared: Counter<string>,
    @InjectMetric(Metric.antiEntropyVersionsRepaired) private readonly versionsRepaired: Counter<string>,
    @InjectMetric(Metric.antiEntropyRuns) private readonly runs: Counter<string>,
    @InjectMetric(Metric.antiEntropyRunDuration) private readonly runDuration: Histogram<string>,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.run(), this.config.GEOKV_ANTI_ENTROPY_INTERVAL_MS);
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One run against every peer; a run already in progress is joined rather than doubled. */
  run(): Promise<AntiEntropyReport> {
    this.running ??= this.runAll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /**
   * One step of this region's digest scan: a step of each node still scanning (all of them, from their
   * first version, when `remaining` is absent), their digests XORed bucket by bucket.
   */
  async digestStep(remaining: NodesRemaining | undefined): Promise<RegionDigestsStep> {
    const results = await this.stepEachNode(remaining, (from): BucketDigestsRequest => ({ ...from, maxVersions: this.config.GEOKV_ANTI_ENTROPY_STEP_VERSIONS }), (node, request) =>
      this.local.request<BucketDigestsResult>(addressTo(StoragePatterns.bucketDigests, node), request, this.config.GEOKV_ANTI_ENTROPY_TIMEOUT_MS),
    );
    return mergeDigestSteps(results);
  }

  /** This region's Merkle tree, scanned step by step. */
  localTree(): Promise<RegionTree> {
    return scanTreeInSteps((remaining) => this.digestStep(remaining));
  }

  /** One step of this region's search for the versions in the buckets, with the strategies of their keyspaces. */
  async bucketVersionsStep(buckets: readonly number[], remaining: NodesRemaining | undefined): Promise<RegionBucketVersionsStep> {
    const requestId = `anti-entropy-${randomUUID()}`;
    const results = await this.stepEachNode(remaining, (from): BucketVersionsRequest => ({ requestId, buckets, ...from, maxVersions: this.config.GEOKV_ANTI_ENTROPY_STEP_VERSIONS }), (node, request) =>
      this.local.request<NodeBucketVersions>(addressTo(StoragePatterns.bucketVersions, node), request, this.config.GEOKV_ANTI_ENTROPY_TIMEOUT_MS),
    );
    const versions = results.flatMap((result) => result.versions);
    return { versions, strategies: this.region.strategiesFor(versions.map((version) => version.keyspace)), remaining: remainingOf(results) };
  }

  /** Every version this region holds in the buckets, with the strategies of their keyspaces. */
  localBucketVersions(buckets: readonly number[]): Promise<BucketVersionsResult> {
    return collectVersionsInSteps((remaining) => this.bucketVersionsStep(buckets, remaining));
  }

  private async runAll(): Promise<AntiEntropyReport> {
    const peers: AntiEntropyPeerReport[] = [];
    // Building the tree scans every node's whole shard: the next peer reuses it unless a repair changed
    // something (a stale tree would send it through every bucket this region has just taken in).
    let mine: Promise<RegionTree> | null = null;
    const localTree = (): Promise<RegionTree> => (mine ??= this.localTree());
    for (const link of this.peers.all) {
      const report = await this.runAgainst(link, localTree);
      if (report.versionsRepaired > 0 || report.error !== null) mine = null;
      peers.push(report);
    }
    const report = { region: this.config.GEOKV_REGION, peers };
    this.logger.log({ report }, 'anti-entropy run finished');
    return report;
  }

  /** One run against one peer, counted by outcome and timed, so that a run that keeps failing shows. */
  private async runAgainst(link: PeerLink, localTree: () => Promise<RegionTree>): Promise<AntiEntropyPeerReport> {
    const labels = { source: this.config.GEOKV_REGION, target: link.region };
    const endTimer = this.runDuration.startTimer(labels);
    const report = await this.repairAgainst(link, localTree);
    endTimer();
    this.runs.inc({ ...labels, outcome: report.error === null ? 'ok' : 'failed' });
    return report;
  }

  private async repairAgainst(link: PeerLink, localTree: () => Promise<RegionTree>): Promise<AntiEntropyPeerReport> {
    const labels = { source: this.config.GEOKV_REGION, target: link.region };
    const timeoutMs = this.config.GEOKV_ANTI_ENTROPY_TIMEOUT_MS;
    try {
      const mine = await localTree();
      this.keysCompared.inc(labels, mine.keys);
      // The peer's scan in steps too, each with its own deadline, however large its shards.
      const theirs = await scanTreeInSteps((remaining) => {
        const request: RegionDigestsRequest = remaining === undefined ? {} : { remaining };
        return link.client.request<RegionDigestsStep>(regionAddressed(ReplicationPatterns.regionDigests, link.region), request, timeoutMs);
      });
      const differing = mine.tree.differingLeaves(theirs.tree);
      let repaired = 0;
      let width = FIRST_EXCHANGE_WIDTH;
      for (let start = 0; start < differing.length; ) {
        const buckets = differing.slice(start, start + width);
        const { changed, heldValueBytes } = await this.repairBuckets(link, buckets, timeoutMs);
        this.versionsRepaired.inc(labels, changed);
        repaired += changed;
        start += buckets.length;
        width = nextExchangeWidth(width, heldValueBytes, ANTI_ENTROPY_BUCKETS);
      }
      return { peer: link.region, keysCompared: mine.keys, bucketsDiffering: differing.length, versionsRepaired: repaired, error: null };
    } catch (error) {
      const reason = describeFailure(error);
      this.logger.warn({ peer: link.region, reason }, 'anti-entropy run failed');
      return { peer: link.region, keysCompared: 0, bucketsDiffering: 0, versionsRepaired: 0, error: reason };
    }
  }

  /**
   * Reads both regions' versions in the buckets and sends each side what it lacks; returns how many changed
   * a side, and how many value bytes the exchange held.
   */
  private async repairBuckets(link: PeerLink, buckets: readonly number[], timeoutMs: number): Promise<{ changed: number; heldValueBytes: number }> {
    const [ours, theirs] = await Promise.all([
      this.localBucketVersions(buckets),
      collectVersionsInSteps((remaining) => {
        const request: RegionBucketVersionsRequest = { requestId: `anti-entropy-${randomUUID()}`, buckets, ...(remaining === undefined ? {} : { remaining }) };
        return link.client.request<RegionBucketVersionsStep>(regionAddressed(ReplicationPatterns.bucketVersions, link.region), request, timeoutMs);
      }),
    ]);
    const theirIds = new Set(theirs.versions.map(versionId));
    const ourIds = new Set(ours.versions.map(versionId));
    const changed =
      (await this.send(link, ours.versions.filter((version) => !theirIds.has(versionId(version))), ours.strategies)) +
      (await this.take(link.region, theirs.versions.filter((version) => !ourIds.has(versionId(version))), theirs.strategies));
    return { changed, heldValueBytes: valueBytesOf(ours.versions) + valueBytesOf(theirs.versions) };
  }

  /** Versions the peer lacks, shipped in batches like any shipment; returns how many changed its state. */
  private async send(link: PeerLink, versions: readonly ReplicatedVersion[], strategies: Record<string, ConflictResolution>): Promise<number> {
    let applied = 0;
    for (const slice of this.shipments(versions)) {
      const shipment: ShipmentRequest = {
        requestId: `anti-entropy-${randomUUID()}`,
        sourceRegion: this.config.GEOKV_REGION,
        versions: slice,
        strategies,
      };
      const result = await link.client.request<ShipmentResult>(regionAddressed(ReplicationPatterns.ship, link.region), shipment, this.config.GEOKV_ANTI_ENTROPY_TIMEOUT_MS);
      applied += result.applied;
    }
    return applied;
  }

  /** Versions this region lacks, merged here; returns how many changed this region's state. */
  private async take(peer: string, versions: readonly ReplicatedVersion[], strategies: Record<string, ConflictResolution>): Promise<number> {
    let applied = 0;
    for (const slice of this.shipments(versions)) {
      applied += (await this.applier.apply({ requestId: `anti-entropy-${randomUUID()}`, sourceRegion: peer, versions: slice, strategies })).applied;
    }
    return applied;
  }

  /** The versions cut into shipments of at most GEOKV_REPLICATION_BATCH versions and SHIPMENT_MAX_VALUE_BYTES. */
  private shipments(versions: readonly ReplicatedVersion[]): ReplicatedVersion[][] {
    return byteGroups(versions, (version) => version.value?.length ?? 0, SHIPMENT_MAX_VALUE_BYTES, this.config.GEOKV_REPLICATION_BATCH);
  }

  /**
   * Asks each node still scanning (every node, from its start, when `remaining` is absent) for its next
   * step, in parallel; `requestOf` makes a node's request from where it goes on.
   */
  private stepEachNode<Request, Result extends { readonly next: VersionIdCursor | null }>(
    remaining: NodesRemaining | undefined,
    requestOf: (from: { after?: VersionIdCursor }) => Request,
    ask: (node: string, request: Request) => Promise<Result>,
  ): Promise<(Result & { readonly node: string })[]> {
    const starts: [string, { after?: VersionIdCursor }][] =
      remaining === undefined ? this.nodesOrFail().map((node) => [node, {}]) : Object.entries(remaining).map(([node, after]) => [node, { after }]);
    return Promise.all(starts.map(async ([node, from]) => ({ node, ...(await ask(node, requestOf(from))) })));
  }

  private nodesOrFail(): readonly string[] {
    const nodes = this.region.nodeIds();
    if (nodes.length === 0) throw new Error('this region has no ring yet');
    return nodes;
  }
}

/** A version's identity across regions: its key, its dot and its context. */
function versionId(version: ReplicatedVersion): string {
  return `${version.keyspace}\0${version.key}\0${version.dotActor}\0${version.dotCounter}\0${encodeContext(version.context)}`;
}
