/** A register value as clients see it; null means the key is absent (never written or deleted). */
export type RegisterValue = string | null;

/** What a client asked for. */
export type RegisterInput =
  | { kind: 'read' }
  /** PUT (value) or DELETE (null). */
  | { kind: 'write'; value: RegisterValue }
  /** Succeeds iff current === expected; expected null is If-None-Match: * ("only if absent"). */
  | { kind: 'cas'; expected: RegisterValue; value: RegisterValue };

/** What the client was told; `kind` always equals the input's kind. */
export type RegisterOutput = { kind: 'read'; value: RegisterValue } | { kind: 'write' } | { kind: 'cas'; ok: boolean };

/** One client operation on one key, as recorded by the client. */
export interface HistoryOperation {
  key: string;
  clientId: string;
  input: RegisterInput;
  /** When the client sent it (any monotonic clock, e.g. performance.now()). */
  call: number;
  /** When the client got the answer; absent when the outcome is unknown (timeout, connection reset, 503 that may have applied). */
  return?: number;
  /** The answer; absent exactly when `return` is absent (indeterminate). */
  output?: RegisterOutput;
}

/** The verdict on a whole history. */
export type CheckResult =
  | { linearizable: true; keys: number; operations: number }
  | {
      linearizable: false;
      key: string;
      /** a human-readable explanation: the operations of the smallest failing window or the op that could not be placed */
      explanation: string;
    }
  /** The search for `key` exceeded the time budget (or its memory cap) before reaching a verdict. */
  | { linearizable: 'unknown'; key: string; reason: string };

export interface CheckOptions {
  /** The value of every key before the history starts. Default null (absent). */
  initial?: RegisterValue;
  /**
   * Wall-clock budget for the whole check, in ms. Default 30,000; Infinity means no limit. The clock is
   * read every few thousand search steps, so a search may overrun it by about a millisecond.
   */
  timeBudgetMs?: number;
}
