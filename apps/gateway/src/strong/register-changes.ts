import { combineChanges, type Change, type Recognise } from '@geokv/caspaxos';
import { STRONG_RECENT_OPS, type StrongValue } from '@geokv/protocol';
import type { Preconditions } from '../kv/kv-headers';

/** What a strong operation answers, decided inside the change function at its linearization point. */
export type StrongAnswer =
  | { readonly kind: 'found'; readonly value: StrongValue }
  | { readonly kind: 'absent' }
  | { readonly kind: 'written'; readonly etag: string }
  | { readonly kind: 'deleted' }
  | { readonly kind: 'precondition-failed'; readonly message: string };

/** The register's value as clients see it: a tombstone or an expired value reads as absent. */
function liveValue(current: StrongValue | null, nowMs: number): StrongValue | null {
  return current !== null && !current.tombstone && (current.expiresAtMs === null || current.expiresAtMs > nowMs) ? current : null;
}

/** What a write stores: its own content; it extends the lineage of versions with its own id (= etag). */
export type NewValue = Omit<StrongValue, 'recentOps' | 'tombstone' | 'version'>;

function extend(current: StrongValue | null, value: NewValue, tombstone: boolean): StrongValue {
  return {
    ...value,
    tombstone,
    version: (current?.version ?? 0) + 1,
    recentOps: [...(current?.recentOps ?? []), value.etag].slice(-STRONG_RECENT_OPS),
  };
}

/**
 * Whether `operationId` made the value or one it derives from, by the ids the value remembers. Versions
 * go up by one per chosen write, so a write of this operation that was ever chosen sits at its own
 * version in the lineage of every later value; when the remembered window reaches back to the lowest
 * version this operation wrote and its id is not there, none of its writes was ever chosen.
 */
export function recogniseOperation(operationId: string): Recognise<StrongValue> {
  return (value, writes) => {
    const lineage = value?.recentOps ?? [];
    if (lineage.includes(operationId)) return 'own';
    const oldestRemembered = (value?.version ?? 0) - lineage.length + 1;
    const lowestWritten = Math.min(...writes.map((write) => write.version));
    return oldestRemembered <= lowestWritten ? 'absent' : 'unknown';
  };
}

/**
 * The changes of a batch (KeyedBatches) as one change whose write counts once in the value's lineage, under
 * `roundId`: one version and one remembered id per round, however many writes the round carries. Counted
 * per write, a round of n writes would push the ids that retries recognise (STRONG_RECENT_OPS of them) out
 * of the window n times faster, and a retry would more often have to answer that its outcome is unknown.
 * The value keeps the last write's content and ETag.
 */
export function roundChange(changes: readonly Change<StrongValue, StrongAnswer>[], roundId: string): Change<StrongValue, StrongAnswer[]> {
  const combined = combineChanges(changes);
  return (current) => {
    const outcome = combined(current);
    if (outcome.next === current || outcome.next === null) return outcome;
    const lineage = [...(current?.recentOps ?? []), roundId].slice(-STRONG_RECENT_OPS);
    return { next: { ...outcome.next, version: (current?.version ?? 0) + 1, recentOps: lineage }, result: outcome.result };
  };
}

/** Why the preconditions fail on `live`, or null when they hold. */
function preconditionFailure(live: StrongValue | null, preconditions: Preconditions): string | null {
  if (preconditions.ifNoneMatch && live !== null) return 'If-None-Match: * failed: the key has a value';
  const { ifMatch } = preconditions;
  if (ifMatch === undefined) return null;
  if (live === null) return 'If-Match failed: the key has no value';
  if (!ifMatch.includes('*') && !ifMatch.includes(live.etag)) return 'If-Match failed: the value has changed';
  return null;
}

/*
 * A change that fails or only reads returns `current` itself: CASPaxos then skips the accept phase when
 * that value is already chosen (see isUnchanged in libs/caspaxos). Do not return a copy.
 */

/** GET: the live value, or absent. */
export function readRegister(nowMs: number): Change<StrongValue, StrongAnswer> {
  return (current) => {
    const live = liveValue(current, nowMs);
    return { next: current, result: live === null ? { kind: 'absent' } : { kind: 'found', value: live } };
  };
}

/** PUT: `value` replaces whatever is there, if the preconditions hold (compare-and-set). */
export function writeRegister(value: NewValue, preconditions: Preconditions, nowMs: number): Change<StrongValue, StrongAnswer> {
  return (current) => {
    const failure = preconditionFailure(liveValue(current, nowMs), preconditions);
    if (failure !== null) return { next: current, result: { kind: 'precondition-failed', message: failure } };
    return { next: extend(current, value, false), result: { kind: 'written', etag: value.etag } };
  };
}

/**
 * DELETE: leaves a tombstone if the preconditions hold. Deleting what is already absent changes nothing,
 * which also keeps a stream of deletes from growing the lineage.
 */
export function deleteRegister(tombstone: NewValue, preconditions: Preconditions, nowMs: number): Change<StrongValue, StrongAnswer> {
  return (current) => {
    const live = liveValue(current, nowMs);
    const failure = preconditionFailure(live, preconditions);
    if (failure !== null) return { next: current, result: { kind: 'precondition-failed', message: failure } };
    if (live === null && (current === null || current.tombstone)) return { next: current, result: { kind: 'deleted' } };
    return { next: extend(current, tombstone, true), result: { kind: 'deleted' } };
  };
}
