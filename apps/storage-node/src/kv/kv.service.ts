import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter } from 'prom-client';
import { Metric } from '@geokv/observability';
import type { ListRequest, ListResult, OpenConflict, ReadRequest, ReadResult, WireVersion, WriteRequest, WriteResult } from '@geokv/protocol';
import { decodeContext, encodeContext, fullClock, mergeContexts } from '@geokv/vector-clock';
import { etagOf } from '../versions/etag';
import { isLive, type StoredVersion } from '../versions/stored-version';
import { keyIdOf } from './key-id';
import { VersionCache } from './version-cache';
import { VersionStore } from './version-store';
import { WriteBatcher } from './write-batcher';

/** The storage node's key-value operations: reads through the cache, writes through group commit. */
@Injectable()
export class KvService {
  constructor(
    private readonly batcher: WriteBatcher,
    private readonly cache: VersionCache,
    private readonly store: VersionStore,
    @InjectMetric(Metric.cacheLookups) private readonly cacheLookups: Counter<string>,
  ) {}

  async write(request: WriteRequest): Promise<WriteResult> {
    const nowMs = Date.now();
    const { written } = await this.batcher.submit(
      request.requestId,
      { keyspace: request.keyspace, key: request.key },
      {
        tombstone: request.tombstone,
        value: request.value === undefined ? null : Buffer.from(request.value, 'base64'),
        contentType: request.contentType ?? null,
        context: request.context === undefined ? null : decodeContext(request.context),
        expiresAtMs: request.ttlSeconds ? nowMs + request.ttlSeconds * 1000 : null,
      },
      request.conflictResolution,
      { ifMatch: request.ifMatch, ifNoneMatch: request.ifNoneMatch },
    );
    if (written === null) {
      return { written: false, etag: '', context: request.context ?? encodeContext({}) };
    }
    return { written: true, etag: etagOf(written.dot), context: encodeContext(fullClock(written)) };
  }

  async read(request: ReadRequest): Promise<ReadResult> {
    const versions = await this.versionsOf(request.keyspace, request.key);
    const nowMs = Date.now();
    return {
      versions: versions.filter((version) => isLive(version, nowMs)).map(toWire),
      context: versions.length === 0 ? null : encodeContext(mergeContexts(versions)),
    };
  }

  async list(request: ListRequest): Promise<ListResult> {
    return { keys: await this.store.listKeys(request.keyspace, request.prefix, request.after, request.limit) };
  }

  openConflicts(limit: number): Promise<OpenConflict[]> {
    return this.store.openConflicts(limit);
  }

  private async versionsOf(keyspace: string, key: string): Promise<readonly StoredVersion[]> {
    const keyId = keyIdOf({ keyspace, key });
    const cached = this.cache.get(keyId);
    if (cached) {
      this.cacheLookups.inc({ tier: 'l1', result: 'hit' });
      return cached;
    }
    this.cacheLookups.inc({ tier: 'l1', result: 'miss' });
    const loaded = (await this.store.load([{ keyspace, key }])).get(keyId) ?? [];
    if (!this.batcher.inFlight.has(keyId)) this.cache.fillIfAbsent(keyId, loaded);
    return loaded;
  }
}

// A version's wire form (its value base64-encoded, its etag) is built once and remembered: versions are
// immutable, and a hot key is read far more often than written.
const wireForms = new WeakMap<StoredVersion, WireVersion>();

function toWire(version: StoredVersion): WireVersion {
  let wire = wireForms.get(version);
  if (wire === undefined) {
    wire = {
      value: (version.value ?? Buffer.alloc(0)).toString('base64'),
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
