import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { Metric } from '@geokv/observability';
import type {
  KeyVersionsRequest,
  ListRequest,
  ListResult,
  OpenConflict,
  ReadRequest,
  ReadResult,
  ReplicaRead,
  ReplicaReadResult,
  ReplicaWrite,
  ReplicaWriteResult,
  WireVersion,
  WriteRequest,
  WriteResult,
} from '@geokv/protocol';
import { decodeContext, encodeContext, fullClock, mergeContexts } from '@geokv/vector-clock';
import { RegionView } from '../region/region-view.service';
import { QuorumRead } from '../replicas/quorum-read';
import { ReplicaFanout } from '../replicas/replica-fanout';
import { replicatedVersionOf, storedVersionOf } from '../replication/replicated-version';
import { etagOf } from '../versions/etag';
import { isLive, type StoredVersion } from '../versions/stored-version';
import { CoalescedReads } from './coalesced-reads';
import { keyIdOf } from './key-id';
import { VersionCache } from './version-cache';
import { VersionStore } from './version-store';
import { WriteBatcher } from './write-batcher';

/** The storage node's key-value operations: reads through the cache, writes through group commit. */
@Injectable()
export class KvService {
  private readonly cacheHits: Counter.Internal;
  private readonly cacheMisses: Counter.Internal;
  private readonly cacheJoins: Counter.Internal;

  constructor(
    private readonly batcher: WriteBatcher,
    private readonly cache: VersionCache,
    private readonly store: VersionStore,
    private readonly pointReads: CoalescedReads,
    private readonly fanout: ReplicaFanout,
    private readonly quorumRead: QuorumRead,
    private readonly region: RegionView,
    @InjectMetric(Metric.cacheLookups) cacheLookups: Counter<string>,
  ) {
    // Labelled once: every read counts one, and prom-client would hash the labels on each.
    this.cacheHits = cacheLookups.labels({ tier: 'l1', result: 'hit' });
    this.cacheMisses = cacheLookups.labels({ tier: 'l1', result: 'miss' });
    // A miss that shared another reader's read of the shard.
    this.cacheJoins = cacheLookups.labels({ tier: 'l1', result: 'joined' });
  }

  /**
   * Coordinates a write: this node's copy through group commit (with the outbox row), then the key's other
   * replicas; answers once the write quorum has it durably.
   */
  async write(request: WriteRequest): Promise<WriteResult> {
    const nowMs = Date.now();
    const ref = { keyspace: request.keyspace, key: request.key };
    const plan = this.fanout.plan(ref, request.replication);
    const { written } = await this.batcher.submit(
      request.requestId,
      ref,
      {
        tombstone: request.tombstone,
        value: request.value ?? null,
        contentType: request.contentType ?? null,
        context: request.context === undefined ? null : decodeContext(request.context),
        expiresAtMs: request.ttlSeconds ? nowMs + request.ttlSeconds * 1000 : null,
      },
      request.conflictResolution,
      { ifMatch: request.ifMatch, ifNoneMatch: request.ifNoneMatch },
      plan.selfHints,
    );
    if (written === null) {
      return { written: false, etag: '', context: request.context ?? encodeContext({}) };
    }
    await this.fanout.replicate(plan, request.requestId, ref, written, request.conflictResolution);
    return { written: true, etag: etagOf(written.dot), context: encodeContext(fullClock(written)) };
  }

  /** A read of this node's copy, or with `replication` a quorum read of the key's replicas. */
  async read(request: ReadRequest): Promise<ReadResult> {
    const versions = await this.coordinatedVersions(request);
    const nowMs = Date.now();
    return {
      versions: versions.filter((version) => isLive(version, nowMs)).map(toWire),
      context: versions.length === 0 ? null : contextOf(versions),
    };
  }

  /** Merges a version from the key's coordinator into this replica, durably. */
  async writeReplica(write: ReplicaWrite): Promise<ReplicaWriteResult> {
    const ref = { keyspace: write.version.keyspace, key: write.version.key };
    const { written } = await this.batcher.submitRemote(write.requestId, ref, storedVersionOf(write.version), write.strategy, write.hintFor === null ? [] : [write.hintFor]);
    return { applied: written !== null };
  }

  /** Everything this replica holds of the key, tombstones included; for a digest read, without values. */
  async readReplica(read: ReplicaRead): Promise<ReplicaReadResult> {
    const ref = { keyspace: read.keyspace, key: read.key };
    const versions = await this.versionsOf(read.keyspace, read.key);
    return { versions: versions.map((version) => replicatedVersionOf(ref, read.withoutValues === true ? { ...version, value: null } : version)) };
  }

  async list(request: ListRequest): Promise<ListResult> {
    return { keys: await this.store.listKeys(request.keyspace, request.prefix, request.after, request.limit) };
  }

  openConflicts(limit: number): Promise<OpenConflict[]> {
    return this.store.openConflicts(limit);
  }

  /** The key's versions: this node's copy, or the merge of R replicas' copies when the request asks for a quorum. */
  coordinatedVersions(request: ReadRequest | KeyVersionsRequest): Promise<readonly StoredVersion[]> {
    const local = (): Promise<readonly StoredVersion[]> => this.versionsOf(request.keyspace, request.key);
    const replication = request.replication;
    if (replication === undefined || this.region.ring.effectiveReplicas(replication.replicas) === 1) return local();
    const ref = { keyspace: request.keyspace, key: request.key };
    return this.quorumRead.versions(request.requestId, ref, replication, request.conflictResolution ?? 'lww', local);
  }

  /**
   * This node's copy of the key: L1 cache, then a read of the shard running for it, then the shard (with
   * the other keys missed in the same turn).
   */
  versionsOf(keyspace: string, key: string): Promise<readonly StoredVersion[]> {
    const keyId = keyIdOf({ keyspace, key });
    const cached = this.cache.get(keyId);
    if (cached) {
      this.cacheHits.inc();
      return Promise.resolve(cached);
    }
    const running = this.cache.loadInFlight(keyId);
    if (running !== undefined) {
      this.cacheJoins.inc();
      return running;
    }
    this.cacheMisses.inc();
    const load = this.load(keyspace, key, keyId);
    this.cache.shareLoad(keyId, load);
    return load;
  }

  private async load(keyspace: string, key: string, keyId: string): Promise<readonly StoredVersion[]> {
    const ticket = this.cache.readTicket();
    const loaded = await this.pointReads.read({ keyspace, key }, keyId);
    if (!this.batcher.inFlight.has(keyId)) this.cache.fillFromRead(keyId, loaded, ticket);
    return loaded;
  }
}

// A version's wire form (its etag above all) is built once and remembered: versions are immutable, and a
// hot key is read far more often than written.
const wireForms = new WeakMap<StoredVersion, WireVersion>();
const NO_BYTES = Buffer.alloc(0);

// The same holds for a key's causal context: the cache hands out the same list of versions until the next
// write of the key replaces it, and merging and encoding its clocks cost a tenth of a node's CPU under reads.
const contexts = new WeakMap<readonly StoredVersion[], string>();

function contextOf(versions: readonly StoredVersion[]): string {
  let context = contexts.get(versions);
  if (context === undefined) {
    context = encodeContext(mergeContexts(versions));
    contexts.set(versions, context);
  }
  return context;
}

function toWire(version: StoredVersion): WireVersion {
  let wire = wireForms.get(version);
  if (wire === undefined) {
    wire = {
      value: version.value ?? NO_BYTES,
      contentType: version.contentType ?? 'application/octet-stream',
      etag: etagOf(version.dot),
      originRegion: version.originRegion,
      lastModifiedMs: version.hlc.wallMs,
      expiresAtMs: version.expiresAtMs,
    };
    wireForms.set(version, wire);
  }
  return wire;
}
