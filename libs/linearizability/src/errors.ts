/**
 * A history handed to the checker is malformed (e.g. a return before its call, or an output without a
 * return). Checking it would give a verdict about a different history, so the checker refuses instead.
 */
export class InvalidHistoryError extends Error {
  readonly code = 'INVALID_HISTORY' as const;

  constructor(
    /** Position of the offending operation in the history array. */
    readonly index: number,
    reason: string,
  ) {
    super(`invalid history: operation #${index}: ${reason}`);
    this.name = 'InvalidHistoryError';
  }
}
