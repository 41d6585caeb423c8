import { counterOf, type VectorClock } from './vector-clock';

/**
 * One event: the `counter`-th write coordinated by `actor`. Dots are unique per key (see nextDot), so a
 * dot names one version, and "this clock has seen the version" is a single comparison.
 */
export type Dot = {
  readonly actor: string;
  readonly counter: number;
};

/** True when both dots name the same event. */
export function dotEquals(a: Dot, b: Dot): boolean {
  return a.actor === b.actor && a.counter === b.counter;
}

/** True when `clock` includes the event `dot`, i.e. clock[actor] ≥ counter. */
export function clockCoversDot(clock: VectorClock, dot: Dot): boolean {
  return counterOf(clock, dot.actor) >= dot.counter;
}

/**
 * A compact id such as "node-a:17", usable as a map or database key. Injective: the counter is a
 * decimal integer, so the text after the last ':' is the counter even when the actor contains ':'.
 */
export function dotToString(dot: Dot): string {
  return `${dot.actor}:${dot.counter}`;
}
