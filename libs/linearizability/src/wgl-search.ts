import { EntryList } from './entry-list';
import type { KeyOperation } from './key-history';
import { type FailedCasProbe, IndeterminateRules, mayFollowChain } from './indeterminate-rules';
import { IMPOSSIBLE, OpKind, step } from './register-model';
import { SetHash, splitmix32 } from './set-hash';
import { CacheOutcome, StateCache, type StateCacheLimits } from './state-cache';

/**
 * The Wing & Gong linearizability search with Lowe's memoisation (the algorithm behind Knossos and
 * porcupine), for one key. Depth-first over the event list: the call events before the first return
 * still in the list are the operations that may take effect next; placing one lifts its events out, and
 * meeting a return event means the operation it ends was not placed before it returned, so the search
 * backtracks. A memo of explored configurations (placed operations, register state) prunes orders that
 * reach one again. The stack is explicit: a key may have thousands of operations.
 *
 * Indeterminate operations never return, so their return events would only sit at the end of the list;
 * they live in a list of their own, and those called no later than the first return event are the
 * indeterminate candidates. They are tried after the determinate candidates of each configuration and
 * placed only where IndeterminateRules allows. The memo also counts a configuration as explored when one
 * with the same placed determinate operations and state, which used only some of its indeterminate
 * operations, was: that one had every option this one has. Trying determinate candidates first makes
 * the configuration that uses fewer the one usually explored first.
 */

export interface SearchLimits extends StateCacheLimits {
  /** Give up once `now()` exceeds this. */
  readonly deadline: number;
  readonly now: () => number;
}

/** Where the deepest dead end of a failed search was: the basis of the explanation. */
export interface FailureSnapshot {
  /** How many operations the longest consistent prefix placed. */
  readonly placedCount: number;
  /** The last few operations of that prefix (indices into the key's operations), with the state after each. */
  readonly lastPlaced: readonly { readonly op: number; readonly stateAfter: number }[];
  /** Register state after the prefix. */
  readonly state: number;
  /** The operation that returned before any extension of the prefix could place it. */
  readonly blocked: number;
  /** Unplaced determinate operations called before `blocked` returned (`blocked` included), at most MAX_SHOWN. */
  readonly window: readonly number[];
  /** How many such operations there were in all. */
  readonly windowSize: number;
  /** Unplaced indeterminate operations called by then, at most MAX_SHOWN_INDETERMINATE. */
  readonly indeterminate: readonly number[];
  /** How many such operations there were in all. */
  readonly indeterminateCount: number;
}

export type SearchOutcome =
  | { readonly kind: 'linearizable'; readonly states: number }
  | { readonly kind: 'violation'; readonly states: number; readonly failure: FailureSnapshot }
  | { readonly kind: 'exhausted'; readonly cause: 'time' | 'memory'; readonly states: number; readonly placed: number };

const LAST_PLACED_SHOWN = 8;
const MAX_SHOWN = 24;
const MAX_SHOWN_INDETERMINATE = 8;
/** Steps between clock reads: reading it costs far more than a step. */
const CLOCK_EVERY = 1024;

/**
 * Decides whether `ops` (one key's operations sorted by call time, as splitByKey returns them) has a
 * linearization starting from `initialState`. Guarantees: 'linearizable' and 'violation' are exact
 * verdicts (the memo compares configurations exactly; an indeterminate operation may take effect at any
 * point after its call or not at all); 'exhausted' is returned only when the deadline passed or the memo
 * reached its limits, and says nothing about the history.
 */
export function searchKey(ops: readonly KeyOperation[], initialState: number, limits: SearchLimits): SearchOutcome {
  // Determinate and indeterminate operations, each numbered locally in call order.
  const det: number[] = [];
  const ind: number[] = [];
  const local = new Int32Array(ops.length);
  ops.forEach((op, i) => {
    const group = op.determinate ? det : ind;
    local[i] = group.length;
    group.push(i);
  });
  // Once every determinate operation is placed, the indeterminate rest can take effect "never" (or at
  // the very end, which nothing observes): success without searching their orders.
  if (det.length === 0) return { kind: 'linearizable', states: 0 };

  const detList = new EntryList(
    det.map((op) => ops[op].call),
    det.map((op) => ops[op].ret),
  );
  const indList = new EntryList(
    ind.map((op) => ops[op].call),
    ind.map(() => Infinity),
  );
  const frontier = new Frontier(detList, det, ops);
  const rules = new IndeterminateRules(ops, initialState, frontier);
  const used = new Int32Array((ind.length + 31) >> 5); // placed indeterminate operations
  const hash = new SetHash(det.length); // of the placed determinate operations
  const cache = new StateCache(limits, used.length);
  // The stack holds each placed operation with the state and bound from before it.
  const stackOp = new Int32Array(ops.length);
  const stackState = new Int32Array(ops.length);
  const stackBound = new Int32Array(ops.length);
  let depth = 0;
  let placedDet = 0;
  let state = initialState;
  // One past the highest placed determinate operation (local number). With placedDet it lets the memo
  // encode the placed ones as the few unplaced ones below it instead of a bitset over all of them.
  let bound = 0;
  const key = new Int32Array(det.length + 2);
  let best: FailureSnapshot | undefined;
  let bestDet = 0;
  let steps = 0;
  // Pass 0 walks detList for determinate candidates; pass 1 walks indList for indeterminate ones, up to
  // `until`, the time of the first return event.
  let pass = 0;
  let until = 0;
  // The state before the run of indeterminate operations on top of the stack.
  const chainStart = (top: number): number => {
    while (top > 1 && !ops[stackOp[top - 2]].determinate) top--;
    return stackState[top - 1];
  };

  let entry = detList.first();
  for (;;) {
    if (++steps % CLOCK_EVERY === 0 && limits.now() > limits.deadline) {
      return { kind: 'exhausted', cause: 'time', states: cache.size, placed: best?.placedCount ?? 0 };
    }
    let op = -1;
    if (pass === 0) {
      if (EntryList.isCall(entry)) op = det[EntryList.opOf(entry)];
      else {
        // The first return event ends the determinate candidates; on to the indeterminate ones.
        pass = 1;
        until = ops[det[EntryList.opOf(entry)]].ret;
        entry = indList.first();
        continue;
      }
    } else if (EntryList.isCall(entry) && ops[ind[EntryList.opOf(entry)]].call <= until) {
      op = ind[EntryList.opOf(entry)];
    }

    if (op >= 0) {
      const candidate = ops[op];
      const after = step(candidate, state);
      const useful =
        after !== IMPOSSIBLE &&
        (depth === 0 || ops[stackOp[depth - 1]].determinate || mayFollowChain(candidate, stackState[depth - 1], chainStart(depth))) &&
        (candidate.determinate || rules.mayPlace(op, state, after));
      if (useful) {
        // Configurations right after an indeterminate operation restrict the next move (rules 2 and 3
        // of IndeterminateRules), so they must not share memo entries with unrestricted ones; they are not
        // memoised at all: their successors are, which prunes just as well.
        let outcome: CacheOutcome = CacheOutcome.Added;
        const d = local[op];
        const nextBound = candidate.determinate && d >= bound ? d + 1 : bound;
        if (candidate.determinate) {
          const keyLength = encodeConfiguration(detList, key, after, nextBound, nextBound - placedDet - 1, d);
          const hashA = hash.toggledA(d) ^ splitmix32(after ^ 0x5bd1e995);
          const hashB = hash.toggledB(d) ^ splitmix32(after + 0x7f4a7c15);
          outcome = cache.add(hashA, hashB, key, keyLength, used);
        }
        if (outcome === CacheOutcome.Added) {
          stackOp[depth] = op;
          stackState[depth] = state;
          stackBound[depth] = bound;
          depth++;
          state = after;
          bound = nextBound;
          rules.placed(op);
          if (candidate.determinate) {
            detList.lift(d);
            hash.toggle(d);
            if (++placedDet === det.length) return { kind: 'linearizable', states: cache.size };
          } else {
            indList.lift(d);
            used[d >> 5] |= 1 << (d & 31);
          }
          entry = detList.first();
          pass = 0;
          continue;
        }
        if (outcome === CacheOutcome.Full) {
          return { kind: 'exhausted', cause: 'memory', states: cache.size, placed: best?.placedCount ?? 0 };
        }
      }
      entry = (pass === 0 ? detList : indList).next(entry);
      continue;
    }

    // No candidate works: the operation of the first return event cannot be placed in time, a dead end.
    // Explain the one that placed the most determinate operations, with the fewest speculative ones.
    if (best === undefined || placedDet > bestDet || (placedDet === bestDet && depth < best.placedCount)) {
      best = snapshot(ops, frontier, indList, ind, depth, state, stackOp, stackState);
      bestDet = placedDet;
    }
    if (depth === 0) return { kind: 'violation', states: cache.size, failure: best };
    depth--;
    op = stackOp[depth];
    state = stackState[depth];
    bound = stackBound[depth];
    rules.unplaced(op);
    const d = local[op];
    if (ops[op].determinate) {
      detList.unlift(d);
      hash.toggle(d);
      placedDet--;
      pass = 0;
      entry = detList.next(EntryList.callOf(d));
    } else {
      indList.unlift(d);
      used[d >> 5] &= ~(1 << (d & 31));
      pass = 1;
      until = ops[frontier.firstReturn()].ret;
      entry = indList.next(EntryList.callOf(d));
    }
  }
}

/** The determinate candidates of the current configuration, as IndeterminateRules and explanations need them. */
class Frontier implements FailedCasProbe {
  constructor(
    private readonly list: EntryList,
    private readonly det: readonly number[],
    private readonly ops: readonly KeyOperation[],
  ) {}

  /** The operation of the first return event; the list must not be empty. */
  firstReturn(): number {
    let entry = this.list.first();
    while (EntryList.isCall(entry)) entry = this.list.next(entry);
    return this.det[EntryList.opOf(entry)];
  }

  /** The determinate candidates: operations whose call comes before the first return event. */
  candidates(): number[] {
    const result: number[] = [];
    for (let entry = this.list.first(); EntryList.isCall(entry); entry = this.list.next(entry)) result.push(this.det[EntryList.opOf(entry)]);
    return result;
  }

  /** Whether a failed CAS expecting `state` is a candidate. */
  hasFailedCasExpecting(state: number): boolean {
    for (let entry = this.list.first(); EntryList.isCall(entry); entry = this.list.next(entry)) {
      const op = this.ops[this.det[EntryList.opOf(entry)]];
      if (op.kind === OpKind.CasFailed && op.arg === state) return true;
    }
    return false;
  }
}

/**
 * Writes the canonical encoding of "placed determinate operations plus `candidate` (local numbers),
 * register in `state`" into `key` and returns its length: [state, bound, the `missing` unplaced ones
 * below bound, ascending]. Every placed one is below `bound`, so this determines the set exactly. Call
 * events are in call order, so these are the first `missing` calls in the list other than `candidate`'s,
 * and the scan passes only unplaced operations below bound on the way.
 */
function encodeConfiguration(list: EntryList, key: Int32Array, state: number, bound: number, missing: number, candidate: number): number {
  key[0] = state;
  key[1] = bound;
  let length = 2;
  for (let entry = list.first(); length - 2 < missing; entry = list.next(entry)) {
    if (!EntryList.isCall(entry)) continue;
    const op = EntryList.opOf(entry);
    if (op !== candidate) key[length++] = op;
  }
  return length;
}

function snapshot(
  ops: readonly KeyOperation[],
  frontier: Frontier,
  indList: EntryList,
  ind: readonly number[],
  depth: number,
  state: number,
  stackOp: Int32Array,
  stackState: Int32Array,
): FailureSnapshot {
  const lastPlaced: { op: number; stateAfter: number }[] = [];
  for (let i = Math.max(0, depth - LAST_PLACED_SHOWN); i < depth; i++) {
    lastPlaced.push({ op: stackOp[i], stateAfter: i + 1 < depth ? stackState[i + 1] : state });
  }
  const blocked = frontier.firstReturn();
  const window = frontier.candidates();
  const until = ops[blocked].ret;
  const indeterminate: number[] = [];
  let indeterminateCount = 0;
  for (let entry = indList.first(); EntryList.isCall(entry); entry = indList.next(entry)) {
    const op = ind[EntryList.opOf(entry)];
    if (ops[op].call > until) break;
    indeterminateCount++;
    if (indeterminate.length < MAX_SHOWN_INDETERMINATE) indeterminate.push(op);
  }
  return {
    placedCount: depth,
    lastPlaced,
    state,
    blocked,
    window: window.slice(0, MAX_SHOWN),
    windowSize: window.length,
    indeterminate,
    indeterminateCount,
  };
}
