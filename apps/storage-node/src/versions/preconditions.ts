import { etagOf } from './etag';
import { isLive, type StoredVersion } from './stored-version';

export interface Preconditions {
  /** The key's single live version must have one of these etags; ['*'] accepts any live value. */
  readonly ifMatch?: readonly string[];
  /** The key must have no live value. */
  readonly ifNoneMatch?: boolean;
}

/**
 * Why a conditional write must not apply, or null when it may. Evaluated by the coordinator inside the
 * batch, against the state the write will merge with, so check and write are atomic on this node.
 * With siblings there is no single current value, so If-Match fails until they are resolved.
 */
export function preconditionFailure(current: readonly StoredVersion[], preconditions: Preconditions, nowMs: number): string | null {
  const live = current.filter((version) => isLive(version, nowMs));
  if (preconditions.ifNoneMatch && live.length > 0) return 'If-None-Match: * failed: the key has a value';
  if (preconditions.ifMatch) {
    if (live.length !== 1) return live.length === 0 ? 'If-Match failed: the key has no value' : 'If-Match failed: the key has siblings';
    if (!preconditions.ifMatch.includes('*') && !preconditions.ifMatch.includes(etagOf(live[0].dot))) {
      return 'If-Match failed: the current version has another etag';
    }
  }
  return null;
}
