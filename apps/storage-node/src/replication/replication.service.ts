import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable } from '@nestjs/common';
import type {
  ApplyRemoteRequest,
  ApplyRemoteResult,
  KeyVersionsRequest,
  OutboxPosition,
  OutboxReadRequest,
  OutboxReadResult,
  PendingSummary,
  ReplicatedVersion,
} from '@geokv/protocol';
import { ErrorCode } from '@geokv/protocol';
import { StorageError } from '../kv/storage-errors';
import { KvService } from '../kv/kv.service';
import { RegionView } from '../region/region-view.service';
import { ReplicaFanout } from '../replicas/replica-fanout';
import { WriteBatcher } from '../kv/write-batcher';
import { DeferredAcknowledgements } from './deferred-acknowledgements';
import { OutboxTail, type TailPage, type TailWake } from './outbox-tail';
import { OutboxStore, type OutboxPage } from './outbox-store';
import { replicatedVersionOf, storedVersionOf } from './replicated-version';

/** See readAfterCommit. */
const VISIBILITY_RETRY_MS = 5;

const EMPTY_PAGE: OutboxPage = { versions: [], next: null };
const DRAINED: OutboxReadResult = { versions: [], next: null, pending: { backlog: 0, oldestPendingAtMs: null } };
const QUIET: TailWake = { kind: 'quiet' };

/** A page served from memory, with the count of what follows it only when asked. */
function answer(request: OutboxReadRequest, page: TailPage | OutboxReadResult): OutboxReadResult {
  return { versions: page.versions, next: page.next, pending: request.countPending ? page.pending : null };
}

/** The node's side of replication: its outbox for each peer region, and versions coming from them. */
@Injectable()
export class ReplicationService {
  constructor(
    private readonly outbox: OutboxStore,
    private readonly tail: OutboxTail,
    private readonly deferredAcks: DeferredAcknowledgements,
    private readonly batcher: WriteBatcher,
    private readonly kv: KvService,
    private readonly fanout: ReplicaFanout,
    private readonly region: RegionView,
  ) {}

  /**
   * Moves the peer's cursor when the request acknowledges rows, then reads the peer's next rows; with none
   * pending, waits up to `waitMs` for a commit to bring some. Rows of the commits this process has kept are
   * served from memory (OutboxTail), and then the cursor moves within a flush.
   */
  async readOutbox(request: OutboxReadRequest): Promise<OutboxReadResult> {
    const kept = this.tail.after(request.after, request.limit);
    if (kept !== null) {
      if (request.acknowledge !== undefined) this.deferredAcks.defer(request.peer, request.acknowledge);
      if (kept !== 'tail') return answer(request, kept);
    }
    const waiting = request.waitMs > 0 ? this.tail.wait(request.waitMs, request.after, request.limit) : null;
    if (kept === null) {
      const page = await this.outbox.read(request.peer, request.limit, request.after, request.acknowledge);
      if (page.versions.length > 0 || waiting === null) {
        waiting?.cancel();
        return this.withPending(request, page);
      }
    }
    const wake = waiting === null ? QUIET : await waiting.woken;
    if (wake.kind === 'page') return answer(request, wake);
    // Nothing was committed after the tail: nothing is pending. After an empty read, the count says what is.
    if (wake.kind === 'quiet') return kept === 'tail' ? answer(request, DRAINED) : this.withPending(request, EMPTY_PAGE);
    return this.withPending(request, await this.readAfterCommit(request));
  }

  /** Reads what a commit this process could not hand over wrote. */
  private async readAfterCommit(request: OutboxReadRequest): Promise<OutboxPage> {
    const read = (): Promise<OutboxPage> => this.outbox.read(request.peer, request.limit, request.after);
    const page = await read();
    if (page.versions.length > 0) return page;
    // A committed row stays unreadable while an older transaction (in any database of the server) is still
    // running; such transactions are short, so after a commit's notice look once more before answering
    // empty. After a quiet wait the replicator's next read comes at once anyway.
    await sleep(VISIBILITY_RETRY_MS);
    return read();
  }

  private async withPending(request: OutboxReadRequest, page: OutboxPage): Promise<OutboxReadResult> {
    return { ...page, pending: request.countPending ? await this.pendingOf(request, page) : null };
  }

  /** Moves the peer's cursor to `position` (never backwards). */
  async acknowledge(peer: string, position: OutboxPosition): Promise<void> {
    await this.outbox.acknowledge(peer, position);
  }

  /**
   * What the peer lacks. A page that is neither empty nor full holds all of it that can be read now, so it
   * answers without a count; rows of commits still running then show in the next page.
   */
  private async pendingOf(request: OutboxReadRequest, page: OutboxPage): Promise<PendingSummary> {
    const { versions } = page;
    if (versions.length === 0 || versions.length >= request.limit) return this.outbox.backlog(request.peer, request.after);
    let oldestAtMs = versions[0].hlcWallMs;
    for (const version of versions) if (version.hlcWallMs < oldestAtMs) oldestAtMs = version.hlcWallMs;
    return { backlog: versions.length, oldestPendingAtMs: oldestAtMs };
  }

  /**
   * Every stored version of the key, tombstones included: this node's copy, or with `replication` the
   * merge of a quorum of the key's replicas in this region.
   */
  async keyVersions(request: KeyVersionsRequest): Promise<ReplicatedVersion[]> {
    const ref = { keyspace: request.keyspace, key: request.key };
    return (await this.kv.coordinatedVersions(request)).map((version) => replicatedVersionOf(ref, version));
  }

  /**
   * Merges the versions here. As a replica (the replicator sends every replica its copy), this node only
   * commits its own. As the coordinator, it merges every version here and on the key's other replicas at
   * the same time, and answers once a write quorum of each key has them durably; versions this node already
   * held are forwarded too, since a replica may have missed them (this node could have died between its
   * commit and its forwards, and the shipment is then replayed). Replaying the same versions changes nothing.
   */
  async applyRemote(request: ApplyRemoteRequest): Promise<ApplyRemoteResult> {
    const unknown = request.versions.find((version) => request.strategies[version.keyspace] === undefined);
    if (unknown !== undefined) {
      throw new StorageError(ErrorCode.BadRequest, `no conflict strategy given for keyspace ${unknown.keyspace}`);
    }
    // A ring newer than the sender's may have moved keys to replicas the sender did not send to.
    const hints = request.asReplica !== undefined && request.asReplica.ringEpoch >= this.region.epoch ? request.asReplica.hints : null;
    const outcomes = await Promise.all(
      request.versions.map(async (wire, index) => {
        const ref = { keyspace: wire.keyspace, key: wire.key };
        const strategy = request.strategies[wire.keyspace];
        const version = storedVersionOf(wire);
        if (hints !== null) return this.batcher.submitRemote(request.requestId, ref, version, strategy, hints[index] ?? []);
        const plan = this.fanout.plan(ref, request.replication?.[wire.keyspace]);
        // The version is the peer's, fixed, and every replica merges it by the same rules whatever this
        // node's merge finds, so it goes to the other replicas while this node commits its own copy: the
        // apply takes one commit's time instead of two in a row.
        const [outcome] = await Promise.all([
          this.batcher.submitRemote(request.requestId, ref, version, strategy, plan.selfHints),
          this.fanout.replicate(plan, request.requestId, ref, version, strategy),
        ]);
        return outcome;
      }),
    );
    const changed = outcomes.flatMap((outcome, index) => (outcome.written === null ? [] : [index]));
    return { applied: changed.length, changed };
  }
}
