import type { Change } from '@geokv/caspaxos';
import type { StrongValue } from '@geokv/protocol';
import type { Preconditions } from '../kv/kv-headers';

/** What a strong operation answers, decided inside the change function at its linearization point. */
export type StrongAnswer =
  | { readonly kind: 'found'; readonly value: StrongValue }
  | { readonly kind: 'absent' }
  | { readonly kind: 'written'; readonly etag: string }
  | { readonly kind: 'deleted' }
  | { readonly kind: 'precondition-failed'; readonly message: string };

/** The register's value as clients see it: an expired value reads as absent. */
function liveValue(current: StrongValue | null, nowMs: number): StrongValue | null {
  return current !== null && (current.expiresAtMs === null || current.expiresAtMs > nowMs) ? current : null;
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
export function writeRegister(value: StrongValue, preconditions: Preconditions, nowMs: number): Change<StrongValue, StrongAnswer> {
  return (current) => {
    const failure = preconditionFailure(liveValue(current, nowMs), preconditions);
    if (failure !== null) return { next: current, result: { kind: 'precondition-failed', message: failure } };
    return { next: value, result: { kind: 'written', etag: value.etag } };
  };
}

/** DELETE: empties the register if the preconditions hold; deleting an empty register changes nothing. */
export function deleteRegister(preconditions: Preconditions, nowMs: number): Change<StrongValue, StrongAnswer> {
  return (current) => {
    const failure = preconditionFailure(liveValue(current, nowMs), preconditions);
    if (failure !== null) return { next: current, result: { kind: 'precondition-failed', message: failure } };
    return { next: null, result: { kind: 'deleted' } };
  };
}
