import { Inject, Injectable, Logger } from '@nestjs/common';
import { InjectMetric } from '@willsoto/nestjs-prometheus';
import type { Counter, Histogram } from 'prom-client';
import { APP_CONFIG } from '@geokv/config';
import { Metric } from '@geokv/observability';
import type { ConflictResolution } from '@geokv/protocol';
import { HybridLogicalClock, compareHlc, type HlcTimestamp } from '@geokv/vector-clock';
import { RegionView } from '../region/region-view.service';
import { OutboxTail } from '../replication/outbox-tail';
import type { StorageNodeConfig } from '../storage-node.config';
import { ErrorCode } from '@geokv/protocol';
import { incorporateVersion, type Incorporation } from '../versions/incorporate-version';
import { applyLocalWrite, type LocalWrite } from '../versions/local-write';
import { preconditionFailure, type Preconditions } from '../versions/preconditions';
import { siblingLimitFailure, type SiblingLimits } from '../versions/sibling-limits';
import { dotId, isLive, type ConflictRecord, type StoredVersion } from '../versions/stored-version';
import type { BatchChanges, Hint } from './batch-changes';
import { keyIdOf, type KeyRef } from './key-id';
import { AbsenceSpeculation } from './absence-speculation';
import { StorageError, storageUnavailable } from './storage-errors';
import { MARKED, VersionCache } from './version-cache';
import { VersionStore } from './version-store';

export interface WriteOutcome {
  /** The version this write created; null when a delete found nothing live and wrote nothing. */
  readonly written: StoredVersion | null;
}

/** A client's write, coordinated here; or a version another region wrote, merged here. */
type Change =
  | { readonly kind: 'local'; readonly write: LocalWrite; readonly preconditions: Preconditions }
  | { readonly kind: 'remote'; readonly version: StoredVersion };

interface PendingWrite {
  readonly requestId: string;
  /** Down home replicas this node holds the key for: a hint for each is committed with the write. */
  readonly hintsFor: readonly string[];
  readonly ref: KeyRef;
  readonly keyId: string;
  readonly change: Change;
  readonly strategy: ConflictResolution;
  readonly bytes: number;
  readonly resolve: (outcome: WriteOutcome) => void;
  readonly reject: (error: Error) => void;
}

/**
 * Group commit. Writes queue while batches are in flight, and the next batch takes what is queued (up to
 * a count and a byte limit) into one statement. At low load a batch is a single write and adds no delay;
 * under load one commit is shared by many writes. A write is acknowledged only after the statement
 * holding it has committed.
 *
 * This process is the shard's only writer. A few batches run at once (their WAL flushes overlap), but
 * never two holding the same key: the state a batch merges against (cache or database) therefore cannot
 * change between its read and its commit. Do not relax that rule: two batches touching one key would
 * each merge against a stale state and lose a version.
 *
 * A key the cache does not hold is usually absent, so a batch merges such keys as absent without reading
 * them, and its commit applies only if the shard confirms it (AbsenceSpeculation); otherwise it reads them
 * and merges again. Either way a write is merged against the key's stored state.
 */
@Injectable()
export class WriteBatcher {
  private readonly logger = new Logger(WriteBatcher.name);
  private readonly clock = new HybridLogicalClock();
  private readonly speculation = new AbsenceSpeculation();
  private queue: PendingWrite[] = [];
  private batchesInFlight = 0;
  private dispatchScheduled = false;
  /** Keys of the batches being committed; readers must not fill the cache for them meanwhile. */
  readonly inFlight = new Set<string>();
  private readonly siblingLimits: SiblingLimits;

  constructor(
    private readonly store: VersionStore,
    private readonly cache: VersionCache,
    private readonly outboxTail: OutboxTail,
    private readonly region: RegionView,
    @Inject(APP_CONFIG) private readonly config: StorageNodeConfig,
    @InjectMetric(Metric.writeBatchSize) private readonly batchSize: Histogram<string>,
    @InjectMetric(Metric.lwwConflicts) private readonly lwwConflicts: Counter<string>,
    @InjectMetric(Metric.absenceGuessesMissed) private readonly speculationMisses: Counter<string>,
    @InjectMetric(Metric.siblingLimitRefusals) private readonly siblingLimitRefusals: Counter<string>,
  ) {
    this.siblingLimits = { maxSiblings: config.GEOKV_MAX_SIBLINGS, maxBytes: config.GEOKV_MAX_KEY_BYTES };
  }

  submit(
    requestId: string,
    ref: KeyRef,
    write: LocalWrite,
    strategy: ConflictResolution,
    preconditions: Preconditions = {},
    hintsFor: readonly string[] = [],
  ): Promise<WriteOutcome> {
    return this.enqueue(requestId, ref, { kind: 'local', write, preconditions }, strategy, write.value?.length ?? 0, hintsFor);
  }

  /**
   * Merges a version written elsewhere (another region, or another node of this region coordinating the
   * key), with the same merge as a local write. It is not logged in the outbox: the node that coordinated
   * it logs it, and its region ships it to every peer. Resolves with the version when it changed the key,
   * or null when it was already known or is obsolete (a replayed shipment changes nothing). Hints are
   * committed even then: a down replica may lack the version all the same.
   */
  submitRemote(
    requestId: string,
    ref: KeyRef,
    version: StoredVersion,
    strategy: ConflictResolution,
    hintsFor: readonly string[] = [],
  ): Promise<WriteOutcome> {
    return this.enqueue(requestId, ref, { kind: 'remote', version }, strategy, version.value?.length ?? 0, hintsFor);
  }

  private enqueue(
    requestId: string,
    ref: KeyRef,
    change: Change,
    strategy: ConflictResolution,
    bytes: number,
    hintsFor: readonly string[],
  ): Promise<WriteOutcome> {
    if (this.region.isDeleted(ref.keyspace)) return droppedWrite(ref.keyspace, change);
    return new Promise<WriteOutcome>((resolve, reject) => {
      this.queue.push({ requestId, ref, keyId: keyIdOf(ref), change, strategy, bytes, hintsFor, resolve, reject });
      this.scheduleDispatch();
    });
  }

  /**
   * Dispatches once the current event-loop turn is over: the transport hands over many requests from one
   * socket read in one turn, and they should share a batch rather than the first going out alone.
   */
  private scheduleDispatch(): void {
    if (this.dispatchScheduled) return;
    this.dispatchScheduled = true;
    setImmediate(() => {
      this.dispatchScheduled = false;
      this.dispatch();
    });
  }

  /** Starts batches while there is room and work whose keys are not already being committed. */
  private dispatch(): void {
    while (this.batchesInFlight < this.config.GEOKV_BATCH_CONCURRENCY && this.queue.length > 0) {
      const batch = this.takeBatch();
      if (batch.length === 0) return;
      this.batchesInFlight += 1;
      void this.commitBatch(batch).finally(() => {
        this.batchesInFlight -= 1;
        this.dispatch();
      });
    }
  }

  /**
   * The next batch, in arrival order, of writes whose keys no running batch holds. Once a write is left
   * behind, every later write to its key is left behind too, so each key's writes apply in arrival order.
   */
  private takeBatch(): PendingWrite[] {
    const batch: PendingWrite[] = [];
    const left: PendingWrite[] = [];
    const blocked = new Set<string>();
    let bytes = 0;
    for (const pending of this.queue) {
      const fits =
        batch.length < this.config.GEOKV_BATCH_MAX_WRITES &&
        (batch.length === 0 || bytes + pending.bytes <= this.config.GEOKV_BATCH_MAX_BYTES);
      if (!fits || blocked.has(pending.keyId) || this.inFlight.has(pending.keyId)) {
        blocked.add(pending.keyId);
        left.push(pending);
        continue;
      }
      batch.push(pending);
      bytes += pending.bytes;
    }
    this.queue = left;
    for (const pending of batch) this.inFlight.add(pending.keyId);
    return batch;
  }

  private async commitBatch(batch: PendingWrite[]): Promise<void> {
    try {
      let merged = await this.mergeAndCommit(batch, true);
      if (merged === GUESSED_WRONG) {
        this.speculation.missed();
        this.speculationMisses.inc();
        // Reads every uncached key first: no guess left for the guard to refute.
        merged = await this.mergeAndCommit(batch, false);
      }
      const { states, outcomes } = merged as MergedBatch;
      this.batchSize.observe(batch.length);
      const writtenHere = this.writtenInThisRegion(batch);
      for (const [keyId, versions] of states) {
        // The cache holds what it held when the batch began (or less, if it evicted some): no reader fills a
        // key being committed.
        if (writtenHere.has(keyId) || this.cache.get(keyId) !== undefined) this.cache.store(keyId, versions);
        else this.cache.mark(keyId);
      }
      batch.forEach((pending, i) => {
        const outcome = outcomes[i];
        if (outcome instanceof StorageError) pending.reject(outcome);
        else pending.resolve(outcome);
      });
    } catch (error) {
      this.logger.error({ err: error, requestIds: batch.map((pending) => pending.requestId) }, 'group commit failed');
      // The statement may have committed all the same (an answer lost with its connection).
      this.outboxTail.lost();
      for (const pending of batch) this.cache.forget(pending.keyId);
      const failure = storageUnavailable(error);
      for (const pending of batch) pending.reject(failure);
    } finally {
      for (const pending of batch) this.inFlight.delete(pending.keyId);
    }
  }

  /**
   * The keys written in this region (by a client here, or forwarded by this region's coordinator of the key):
   * their new state is cached, as is that of every key the cache held already (it must stay coherent). A
   * version from another region, for a key the cache does not hold, is only marked: replicated writes
   * churned every node's cache with keys nobody here had asked for, which the collector then traced (full
   * collections of 30-117 ms every 20 s or so under the bench's 1,000 writes/s). A reader here caches the
   * key on its first read.
   */
  private writtenInThisRegion(batch: readonly PendingWrite[]): Set<string> {
    const keys = new Set<string>();
    for (const pending of batch) {
      if (pending.change.kind === 'local' || pending.change.version.originRegion === this.config.GEOKV_REGION) keys.add(pending.keyId);
    }
    return keys;
  }

  /**
   * Merges every write of the batch into its key's state and commits the net change. With `mayAssumeAbsent`
   * (and the speculation policy agreeing), keys the cache does not hold are merged as absent without a read;
   * GUESSED_WRONG means one of them had rows, and nothing was written.
   */
  private async mergeAndCommit(batch: readonly PendingWrite[], mayAssumeAbsent: boolean): Promise<MergedBatch | typeof GUESSED_WRONG> {
    const { states: initial, assumedAbsent } = await this.currentStates(batch, mayAssumeAbsent);
    const states = new Map(initial);
    const outcomes: (WriteOutcome | StorageError)[] = [];
    const outbox: BatchChanges['outbox'][number][] = [];
    const conflicts = new Map<string, ConflictRecord>();
    const hints: Hint[] = [];
    const nowMs = Date.now();

    let changed = false;
    for (const pending of batch) {
      const current = states.get(pending.keyId) ?? [];
      const outcome =
        pending.change.kind === 'local'
          ? this.applyLocal(pending, pending.change, current, nowMs)
          : this.applyRemote(pending.change.version, pending.strategy, current, nowMs);
      if (outcome instanceof StorageError) {
        outcomes.push(outcome);
        continue;
      }
      for (const target of pending.hintsFor) hints.push({ ...pending.ref, target, strategy: pending.strategy });
      outcomes.push({ written: outcome.written });
      if (outcome.written === null) continue;
      changed = true;
      states.set(pending.keyId, outcome.versions);
      if (pending.change.kind === 'local') outbox.push({ ...pending.ref, version: outcome.written });
      for (const loser of outcome.losers) {
        const record = { ...pending.ref, version: loser, resolution: outcome.resolution!, winner: outcome.winner };
        conflicts.set(`${pending.keyId}\n${dotId(loser)}`, record);
      }
    }

    // Nothing accepted (every write failed its precondition, deleted nothing or was known) means nothing
    // changed; but an outcome merged against an assumed absence holds only once the guard has confirmed it.
    if (changed || hints.length > 0 || assumedAbsent.length > 0) {
      const { applied, lastOutbox } = await this.store.commit({ ...diffStates(batch, initial, states), outbox, conflicts: [...conflicts.values()], hints, assumedAbsent });
      if (!applied) return GUESSED_WRONG;
      if (lastOutbox !== null) this.outboxTail.committed(outbox, lastOutbox);
    }
    for (const conflict of conflicts.values()) {
      if (conflict.resolution === 'lww') this.lwwConflicts.inc({ keyspace: conflict.keyspace });
    }
    return { states, outcomes };
  }

  private applyLocal(
    pending: PendingWrite,
    change: Extract<Change, { kind: 'local' }>,
    current: readonly StoredVersion[],
    nowMs: number,
  ): StorageError | Merged {
    const failure = preconditionFailure(current, change.preconditions, nowMs);
    if (failure !== null) return new StorageError(ErrorCode.PreconditionFailed, failure);
    if (change.write.tombstone && !current.some((version) => isLive(version, nowMs))) return NOTHING_WRITTEN;
    const coordinator = { actor: this.actor, region: this.config.GEOKV_REGION, conflictResolution: pending.strategy };
    const outcome = applyLocalWrite(current, change.write, coordinator, this.nextTimestamp(current, nowMs));
    const overLimit = siblingLimitFailure(current, outcome.versions, this.siblingLimits);
    if (overLimit === null) return outcome;
    this.siblingLimitRefusals.inc({ keyspace: pending.ref.keyspace });
    return new StorageError(ErrorCode.TooManySiblings, overLimit);
  }

  private applyRemote(version: StoredVersion, strategy: ConflictResolution, current: readonly StoredVersion[], nowMs: number): Merged {
    // Later local writes must order after what this region has seen, under last-writer-wins too.
    this.clock.observe(version.hlc, nowMs);
    const outcome = incorporateVersion(current, version, strategy);
    return outcome.accepted ? { ...outcome, written: version } : NOTHING_WRITTEN;
  }

  private get actor(): string {
    return `${this.config.GEOKV_REGION}/${this.config.GEOKV_NODE_ID}`;
  }

  /** A local write's timestamp is after every version it may replace, so LWW never favours the past. */
  private nextTimestamp(current: readonly StoredVersion[], nowMs: number): HlcTimestamp {
    if (current.length === 0) return this.clock.tick(nowMs);
    const newest = current.map((version) => version.hlc).reduce((a, b) => (compareHlc(a, b) >= 0 ? a : b));
    return this.clock.observe(newest, nowMs);
  }

  /**
   * Each key's state before the batch: from the cache, else read from the shard, else (when speculating)
   * assumed absent, with the keys so assumed listed for the commit's guard. A key the cache marks as
   * written is never assumed absent.
   */
  private async currentStates(
    batch: readonly PendingWrite[],
    mayAssumeAbsent: boolean,
  ): Promise<{ states: Map<string, readonly StoredVersion[]>; assumedAbsent: KeyRef[] }> {
    const states = new Map<string, readonly StoredVersion[]>();
    const uncached: KeyRef[] = [];
    const marked: KeyRef[] = [];
    for (const pending of batch) {
      if (states.has(pending.keyId)) continue;
      const cached = this.cache.lookup(pending.keyId);
      if (cached !== undefined && cached !== MARKED) states.set(pending.keyId, cached);
      else {
        states.set(pending.keyId, []);
        (cached === MARKED ? marked : uncached).push(pending.ref);
      }
    }
    const speculate = uncached.length > 0 && mayAssumeAbsent && this.speculation.shouldSpeculate();
    const toRead = speculate ? marked : [...marked, ...uncached];
    if (toRead.length > 0) {
      for (const [keyId, versions] of await this.store.load(toRead)) states.set(keyId, versions);
    }
    return { states, assumedAbsent: speculate ? uncached : [] };
  }
}

/** The batch merged and committed: each key's new state and each write's outcome, in batch order. */
interface MergedBatch {
  readonly states: ReadonlyMap<string, readonly StoredVersion[]>;
  readonly outcomes: readonly (WriteOutcome | StorageError)[];
}

/** The commit's guard found rows for a key the batch had merged as absent; nothing was written. */
const GUESSED_WRONG = Symbol('guessed wrong');

/** A change's effect on its key; `written` is null when it changed nothing. */
type Merged = Pick<Incorporation, 'versions' | 'losers' | 'resolution' | 'winner'> & { readonly written: StoredVersion | null };

const NOTHING_WRITTEN: Merged = { versions: [], losers: [], resolution: null, winner: null, written: null };

/** The net change per key: versions that left, and versions that are new or whose context grew. */
function diffStates(
  batch: readonly PendingWrite[],
  initial: ReadonlyMap<string, readonly StoredVersion[]>,
  final: ReadonlyMap<string, readonly StoredVersion[]>,
): Pick<BatchChanges, 'removed' | 'upserted'> {
  const refs = new Map(batch.map((pending) => [pending.keyId, pending.ref]));
  const removed: BatchChanges['removed'][number][] = [];
  const upserted: BatchChanges['upserted'][number][] = [];
  for (const [keyId, ref] of refs) {
    const before = initial.get(keyId) ?? [];
    const after = final.get(keyId) ?? [];
    const kept = new Set(after);
    const afterDots = new Set(after.map(dotId));
    for (const version of before) {
      if (!afterDots.has(dotId(version))) removed.push({ ...ref, version });
    }
    const unchanged = new Set(before.filter((version) => kept.has(version)));
    for (const version of after) {
      if (!unchanged.has(version)) upserted.push({ ...ref, version });
    }
  }
  return { removed, upserted };
}

/**
 * A write to a deleted keyspace. A client's write is refused, since the keyspace is gone; a version from
 * elsewhere (a peer region, a replica, a handoff) is acknowledged as applied, with nothing stored: what
 * sent it must not keep retrying, and the keyspace's data is being purged everywhere.
 */
function droppedWrite(keyspace: string, change: Change): Promise<WriteOutcome> {
  if (change.kind === 'local') return Promise.reject(new StorageError(ErrorCode.KeyspaceNotFound, `keyspace '${keyspace}' was deleted`));
  return Promise.resolve({ written: null });
}
