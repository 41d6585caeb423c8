import { explainViolation } from './explain';
import type { CheckOptions, CheckResult, HistoryOperation } from './history';
import { type KeyHistory, splitByKey } from './key-history';
import type { StateCacheLimits } from './state-cache';
import { type FailureSnapshot, searchKey, type SearchOutcome } from './wgl-search';

export const DEFAULT_TIME_BUDGET_MS = 30_000;

/**
 * Memo limits per key. A search that needs more configurations than this is hopeless within any sane
 * time budget anyway; the cap keeps a pathological history from exhausting the machine's memory first
 * (at most a few hundred MB).
 */
const CACHE_LIMITS: StateCacheLimits = { maxEntries: 1 << 22, maxWords: 1 << 25 };

/**
 * Checks that a history of register operations (read, write/delete, compare-and-set) is linearizable,
 * key by key (P-compositionality). Indeterminate operations (no return) may take effect at any time after
 * their call, or never; indeterminate reads are ignored.
 *
 * Guarantees: `linearizable: true` and `false` are exact verdicts, never heuristics (a hash collision
 * costs time, not correctness); on `false`, `key` is the first key found to have no linearization (keys
 * are searched in sorted order) and `explanation` shows where the search got stuck. `unknown` means the time budget (or a
 * key's memory cap) ran out before every key was decided and no key was found to violate. Every key first
 * gets a fair share of the budget, so one pathological key cannot hide a violation in another. The
 * result does not depend on the order of `history`. Reads the clock; no other I/O, no timers.
 * @throws InvalidHistoryError when an operation is malformed; RangeError for a negative or NaN budget.
 */
export function checkHistory(history: readonly HistoryOperation[], options: CheckOptions = {}): CheckResult {
  const budget = options.timeBudgetMs ?? DEFAULT_TIME_BUDGET_MS;
  if (!(budget >= 0)) throw new RangeError(`timeBudgetMs must be ≥ 0, got ${options.timeBudgetMs}`);
  const initial = options.initial ?? null;
  if (initial !== null && typeof initial !== 'string') throw new RangeError('initial must be a string or null');
  const now = (): number => performance.now();
  const deadline = now() + budget;
  const keys = splitByKey(history, initial);
  const search = (keyHistory: KeyHistory, until: number): SearchOutcome =>
    searchKey(keyHistory.operations, keyHistory.initialState, { ...CACHE_LIMITS, deadline: until, now });

  type Undecided = { keyHistory: KeyHistory; outcome: SearchOutcome & { kind: 'exhausted' } };
  const firstPass: Undecided[] = [];
  for (let i = 0; i < keys.length; i++) {
    const share = (deadline - now()) / (keys.length - i);
    const outcome = search(keys[i], now() + share);
    if (outcome.kind === 'violation') return violation(keys[i], outcome.failure, history);
    if (outcome.kind === 'exhausted') firstPass.push({ keyHistory: keys[i], outcome });
  }
  // Second pass: whatever time the fair shares left over goes to the undecided keys, one at a time.
  // A key that hit its memory cap would only hit it again.
  const undecided: Undecided[] = [];
  for (const item of firstPass) {
    if (item.outcome.cause === 'memory' || now() >= deadline) {
      undecided.push(item);
      continue;
    }
    const outcome = search(item.keyHistory, deadline);
    if (outcome.kind === 'violation') return violation(item.keyHistory, outcome.failure, history);
    if (outcome.kind === 'exhausted') undecided.push({ keyHistory: item.keyHistory, outcome });
  }
  if (undecided.length > 0) {
    const { keyHistory, outcome } = undecided[0];
    const limit = outcome.cause === 'time' ? `the time budget of ${budget} ms` : 'the memory cap of its memo';
    const others = undecided.length > 1 ? ` ${undecided.length - 1} other key(s) are undecided too.` : '';
    return {
      linearizable: 'unknown',
      key: keyHistory.key,
      reason:
        `the search for key ${JSON.stringify(keyHistory.key)} (${keyHistory.operations.length} operations) exceeded ${limit} ` +
        `after exploring ${outcome.states} configurations; its longest consistent prefix so far placed ${outcome.placed}.${others}`,
    };
  }
  return { linearizable: true, keys: keys.length, operations: history.length };
}

function violation(keyHistory: KeyHistory, failure: FailureSnapshot, history: readonly HistoryOperation[]): CheckResult {
  return { linearizable: false, key: keyHistory.key, explanation: explainViolation(keyHistory, failure, history) };
}
