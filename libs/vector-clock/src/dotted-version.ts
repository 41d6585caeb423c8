import { clockCoversDot, dotEquals, type Dot } from './dot';
import { clockFrom, counterOf, EMPTY_CLOCK, merge, type CausalOrder, type VectorClock } from './vector-clock';

/**
 * The causality of one stored version of a key, as a dotted version vector (Preguiça et al. 2010, as
 * used by Riak 2.0): the version's own event (`dot`) kept apart from the causal past it was written
 * with (`context`, which does NOT include the dot).
 *
 * Why not a plain vector clock per version: if two clients both read {A:1} and write through the same
 * coordinator A, server-actor clocks give {A:2} and {A:3}, and {A:3} "descends" {A:2}, so the first
 * write is silently lost. With dots, both writes carry context {A:1}, which covers neither (A,2) nor
 * (A,3), so they are correctly kept as concurrent siblings.
 */
export interface Causality {
  readonly dot: Dot;
  readonly context: VectorClock;
}

/** Everything the version has seen, including itself: merge(context, {[dot.actor]: dot.counter}). */
export function fullClock(c: Causality): VectorClock {
  return merge(c.context, clockFrom([[c.dot.actor, c.dot.counter]]));
}

/**
 * True when `a` causally overwrites `b`: a's writer had seen b (a.context covers b.dot) and they are
 * different versions. Only the context counts: a later dot from the same actor does NOT supersede,
 * which is exactly what keeps same-coordinator concurrent writes apart.
 */
export function supersedes(a: Causality, b: Causality): boolean {
  return !dotEquals(a.dot, b.dot) && clockCoversDot(a.context, b.dot);
}

/**
 * 'equal' when both are the same version (same dot), 'after' when a supersedes b, 'before' when b
 * supersedes a, else 'concurrent'. Antisymmetric: compareVersions(b, a) mirrors compareVersions(a, b).
 * If each claims to supersede the other (impossible for histories built with nextDot, so only corrupt
 * input), the answer is 'concurrent': keeping both siblings loses no data.
 */
export function compareVersions(a: Causality, b: Causality): CausalOrder {
  if (dotEquals(a.dot, b.dot)) return 'equal';
  const aOverB = supersedes(a, b);
  const bOverA = supersedes(b, a);
  if (aOverB && !bOverA) return 'after';
  if (bOverA && !aOverB) return 'before';
  return 'concurrent';
}

/**
 * The dot for a new write of a key coordinated by `actor`, made with causal `context`, where `existing`
 * are the versions of the key the coordinator currently stores.
 *
 * Guarantees: the dot differs from every existing dot and is covered neither by `context` nor by any
 * existing version's context, so it supersedes only what `context` covers and nothing can already
 * claim to have seen it.
 *
 * Why the maximum over all three: the counter must exceed everything this actor ever issued for the key.
 * Taking only context[actor] + 1 (the "obvious" vector-clock increment) would give two clients writing
 * with the same context through one coordinator the SAME dot, and one write would vanish; a counter at
 * or below some existing context's entry would be falsely superseded by that older version. Superseded
 * versions are dropped, but their dots live on in their successors' contexts, which is why contexts are
 * scanned too. Consequence for deletes: keep a tombstone (with its causality) rather than forgetting the
 * key, or counters restart and a stale client context could falsely supersede a new write.
 */
export function nextDot(actor: string, context: VectorClock, existing: readonly Causality[]): Dot {
  let highest = counterOf(context, actor);
  for (const version of existing) {
    if (version.dot.actor === actor) highest = Math.max(highest, version.dot.counter);
    highest = Math.max(highest, counterOf(version.context, actor));
  }
  return Object.freeze({ actor, counter: highest + 1 });
}

/**
 * The causal context a reader gets back: the merge of every version's full clock. A write made with it
 * supersedes all of `versions` (and only what they had seen). Empty input gives the empty clock.
 */
export function mergeContexts(versions: readonly Causality[]): VectorClock {
  return versions.reduce<VectorClock>((acc, version) => merge(acc, fullClock(version)), EMPTY_CLOCK);
}
