import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Histogram } from 'prom-client';
import { Metric } from '@geokv/observability';
import type {
  ApplyRemoteRequest,
  ApplyRemoteResult,
  OutboxAckRequest,
  OutboxReadRequest,
  OutboxReadResult,
  ReplicatedVersion,
} from '@geokv/protocol';
import { ErrorCode } from '@geokv/protocol';
import { keyIdOf } from '../kv/key-id';
import { StorageError } from '../kv/storage-errors';
import { VersionCache } from '../kv/version-cache';
import { VersionStore } from '../kv/version-store';
import { WriteBatcher } from '../kv/write-batcher';
import { OutboxSignal } from './outbox-signal';
import { OutboxStore, type OutboxPage } from './outbox-store';
import { replicatedVersionOf, storedVersionOf } from './replicated-version';

/** See readOutbox. */
const VISIBILITY_RETRY_MS = 5;

/** The node's side of replication: its outbox for each peer region, and versions coming from them. */
@Injectable()
export class ReplicationService {
  constructor(
    private readonly outbox: OutboxStore,
    private readonly signal: OutboxSignal,
    private readonly batcher: WriteBatcher,
    private readonly cache: VersionCache,
    private readonly store: VersionStore,
    @InjectMetric(Metric.replicationDelay) private readonly replicationDelay: Histogram<string>,
  ) {}

  /** The peer's next rows; with none pending, waits up to `waitMs` for a commit to bring some. */
  async readOutbox(request: OutboxReadRequest): Promise<OutboxReadResult> {
    const read = (): Promise<OutboxPage> => this.outbox.read(request.peer, request.limit, request.after);
    const pending = request.waitMs > 0 ? this.signal.wait(request.waitMs) : null;
    let page = await read();
    if (page.versions.length > 0 || pending === null) {
      pending?.cancel();
    } else {
      await pending.woken;
      page = await read();
      // A committed row stays unreadable while an older transaction (in any database of the server) is
      // still running; such transactions are short, so look once more before answering empty.
      if (page.versions.length === 0) {
        await sleep(VISIBILITY_RETRY_MS);
        page = await read();
      }
    }
    return { ...page, pending: request.countPending ? await this.outbox.backlog(request.peer) : null };
  }

  async acknowledge(request: OutboxAckRequest): Promise<void> {
    await this.outbox.acknowledge(request.peer, request.position);
  }

  /** Every stored version of the key, tombstones included, as this node holds it now. */
  async keyVersions(keyspace: string, key: string): Promise<ReplicatedVersion[]> {
    const ref = { keyspace, key };
    const versions = this.cache.get(keyIdOf(ref)) ?? (await this.store.load([ref])).get(keyIdOf(ref)) ?? [];
    return versions.map((version) => replicatedVersionOf(ref, version));
  }

  /** Merges every version and answers once they are durable; replaying the same versions changes nothing. */
  async applyRemote(request: ApplyRemoteRequest): Promise<ApplyRemoteResult> {
    const unknown = request.versions.find((version) => request.strategies[version.keyspace] === undefined);
    if (unknown !== undefined) {
      throw new StorageError(ErrorCode.BadRequest, `no conflict strategy given for keyspace ${unknown.keyspace}`);
    }
    const outcomes = await Promise.all(
      request.versions.map((version) =>
        this.batcher.submitRemote(request.requestId, { keyspace: version.keyspace, key: version.key }, storedVersionOf(version), request.strategies[version.keyspace]),
      ),
    );
    const durableAtMs = Date.now();
    for (const version of request.versions) {
      this.replicationDelay.observe({ origin: version.originRegion }, Math.max(0, durableAtMs - version.hlcWallMs) / 1000);
    }
    return { applied: outcomes.filter((outcome) => outcome.written !== null).length };
  }
}
