import type { ConflictResolution } from '@geokv/protocol';
import { descends, dotEquals, fullClock, merge, supersedes } from '@geokv/vector-clock';
import { lwwCompare } from './lww-order';
import type { StoredVersion } from './stored-version';

export interface Incorporation {
  /** The key's versions afterwards. */
  readonly versions: readonly StoredVersion[];
  /**
   * False when the incoming version was already known (with no wider context) or is causally obsolete:
   * nothing changed.
   */
  readonly accepted: boolean;
  /** Versions resolved away by last-writer-wins, or queued for a manual resolution. */
  readonly losers: readonly StoredVersion[];
  readonly resolution: 'lww' | 'manual' | null;
  readonly winner: StoredVersion | null;
}

/**
 * Adds one version to a key's versions: the merge shared by local writes and (later) remote applies.
 *
 * Guarantees: idempotent (a version already held changes nothing) and independent of arrival order
 * (the result depends only on the set of versions seen), so replicas that saw the same writes agree.
 * Copies of one version (one dot) differ only in context, which grows where an lww winner absorbed a
 * loser; a copy with a wider context widens the one held, so a replica that never saw the loser (its
 * tombstone collected, say) still ends with the same state, and the same digest, as one that did.
 * Versions the incoming one supersedes are replaced; concurrent ones are kept as siblings or resolved by
 * the keyspace's strategy. Nothing concurrent is ever dropped: an LWW loser is returned in `losers` for the
 * conflicts table, and the winner's context absorbs the losers' clocks so that a late copy of a loser
 * can never win afterwards.
 */
export function incorporateVersion(
  current: readonly StoredVersion[],
  incoming: StoredVersion,
  strategy: ConflictResolution,
): Incorporation {
  const known = current.find((version) => dotEquals(version.dot, incoming.dot));
  if (known) {
    return descends(known.context, incoming.context) ? unchanged(current) : widen(current, known, incoming);
  }
  if (current.some((version) => supersedes(version, incoming))) {
    return unchanged(current);
  }
  const versions = [...current.filter((version) => !supersedes(incoming, version)), incoming];
  if (versions.length === 1 || strategy === 'siblings') {
    return { versions, accepted: true, losers: [], resolution: null, winner: null };
  }
  if (strategy === 'manual') {
    return { versions, accepted: true, losers: versions, resolution: 'manual', winner: null };
  }
  return resolveLastWriterWins(versions);
}

function resolveLastWriterWins(versions: readonly StoredVersion[]): Incorporation {
  const winner = versions.reduce((best, candidate) => (lwwCompare(candidate, best) > 0 ? candidate : best));
  const losers = versions.filter((version) => version !== winner);
  const absorbed = losers.reduce((context, loser) => merge(context, fullClock(loser)), winner.context);
  const resolved: StoredVersion = { ...winner, context: absorbed };
  return { versions: [resolved], accepted: true, losers, resolution: 'lww', winner: resolved };
}

function widen(current: readonly StoredVersion[], known: StoredVersion, incoming: StoredVersion): Incorporation {
  const widened: StoredVersion = { ...known, context: merge(known.context, incoming.context) };
  const versions = current.flatMap((version) => (version === known ? [widened] : supersedes(widened, version) ? [] : [version]));
  return { versions, accepted: true, losers: [], resolution: null, winner: null };
}

function unchanged(current: readonly StoredVersion[]): Incorporation {
  return { versions: current, accepted: false, losers: [], resolution: null, winner: null };
}
