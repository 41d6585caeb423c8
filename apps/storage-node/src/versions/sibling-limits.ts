import { valueBytesOf } from '@geokv/protocol';
import type { StoredVersion } from './stored-version';

/** How far one key's siblings may grow through writes coordinated here. */
export interface SiblingLimits {
  /** Most versions a key may hold at once (siblings, concurrent tombstones included). */
  readonly maxSiblings: number;
  /** Most value bytes a key's versions may hold together. */
  readonly maxBytes: number;
}

/**
 * Why a client's write must be refused because it would grow the key's siblings past the limits, or null
 * when it may apply. Every read returns all of a key's siblings in one answer, and every replica caches
 * them as one entry, so a client that keeps writing from a stale context (a retry loop, a buggy merge)
 * must not grow a key without bound: 34 siblings of 1 MiB made a region's nodes spend seconds on each
 * access to the key and time out requests for every other key.
 *
 * Only growth is refused. A write that leaves the key with a single version, or with no more versions and
 * bytes than it had, always applies, so writing back a merge (or a blind write) is always the way out.
 * Versions arriving from other replicas or regions are never refused (they are acknowledged already), so
 * a key can exceed the limits by what other regions wrote concurrently.
 */
export function siblingLimitFailure(
  before: readonly StoredVersion[],
  after: readonly StoredVersion[],
  limits: SiblingLimits,
): string | null {
  if (after.length <= 1) return null;
  if (after.length > limits.maxSiblings && after.length > before.length) {
    return `the key would hold ${after.length} siblings, over the limit of ${limits.maxSiblings}: ${RESOLVE_FIRST}`;
  }
  const bytesAfter = valueBytesOf(after);
  if (bytesAfter > limits.maxBytes && bytesAfter > valueBytesOf(before)) {
    return `the key's siblings would hold ${bytesAfter} bytes, over the limit of ${limits.maxBytes}: ${RESOLVE_FIRST}`;
  }
  return null;
}

const RESOLVE_FIRST = 'read it and write back one value with the X-Causal-Context of the 300 answer';
