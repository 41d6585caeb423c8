/**
 * A vector clock: actor id → number of events that actor has issued (riak_core vclock, Fidge/Mattern).
 * An absent actor means 0, and functions here never store a 0 entry, so equal clocks have equal keys.
 *
 * Counters must be positive safe integers; decodeContext enforces that for clocks from clients.
 * Returned clocks are new, frozen plain objects; inputs are never mutated.
 * Reads go through counterOf (own properties only) and writes through Object.fromEntries, so actor
 * ids such as "__proto__" or "constructor" are ordinary entries, never prototype lookups.
 */
export type VectorClock = Readonly<Record<string, number>>;

/** How the first argument relates to the second in causal order. */
export type CausalOrder = 'before' | 'after' | 'equal' | 'concurrent';

export const EMPTY_CLOCK: VectorClock = Object.freeze({});

/**
 * Builds a frozen clock from (actor, counter) pairs, keeping only positive counters so that "absent"
 * is the only spelling of 0. If an actor repeats, its last pair wins.
 */
export function clockFrom(entries: Iterable<readonly [string, number]>): VectorClock {
  return Object.freeze(Object.fromEntries([...entries].filter(([, counter]) => counter > 0)));
}

/** The counter of `actor` in `clock`; 0 when absent. */
export function counterOf(clock: VectorClock, actor: string): number {
  return Object.hasOwn(clock, actor) ? clock[actor] : 0;
}

/** A clock equal to `clock` with one more event by `actor`; strictly after `clock`. */
export function increment(clock: VectorClock, actor: string): VectorClock {
  return clockFrom([...entriesOf(clock).filter(([a]) => a !== actor), [actor, counterOf(clock, actor) + 1]]);
}

/** The least upper bound (pointwise max). Commutative, associative, idempotent; descends both inputs. */
export function merge(a: VectorClock, b: VectorClock): VectorClock {
  return clockFrom([...actorsOf(a, b)].map((actor) => [actor, Math.max(counterOf(a, actor), counterOf(b, actor))]));
}

/** True when `a` has seen everything `b` has: a[x] ≥ b[x] for every actor x. Reflexive. */
export function descends(a: VectorClock, b: VectorClock): boolean {
  return Object.keys(b).every((actor) => counterOf(a, actor) >= counterOf(b, actor));
}

/**
 * 'before' when b strictly descends a, 'after' when a strictly descends b, 'equal' when they are
 * pointwise equal, otherwise 'concurrent'. compare(a, b) and compare(b, a) are mirror images.
 */
export function compare(a: VectorClock, b: VectorClock): CausalOrder {
  let aAhead = false;
  let bAhead = false;
  for (const actor of actorsOf(a, b)) {
    const x = counterOf(a, actor);
    const y = counterOf(b, actor);
    if (x > y) aAhead = true;
    if (y > x) bAhead = true;
  }
  if (aAhead && bAhead) return 'concurrent';
  if (aAhead) return 'after';
  if (bAhead) return 'before';
  return 'equal';
}

function actorsOf(a: VectorClock, b: VectorClock): Set<string> {
  return new Set([...Object.keys(a), ...Object.keys(b)]);
}

function entriesOf(clock: VectorClock): Array<[string, number]> {
  return Object.keys(clock).map((actor) => [actor, counterOf(clock, actor)]);
}
