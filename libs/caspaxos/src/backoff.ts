/**
 * The pause before retrying a rejected round: "full jitter" exponential backoff. Two proposers that keep
 * outbidding each other (duelling) stop colliding once their random pauses differ by more than a round
 * trip; the cap keeps a loser from waiting far past the operation's deadline.
 *
 * @param attempt 0 for the first retry
 * @param random a uniform draw from [0, 1), passed in so that the function stays pure
 */
export function backoffMs(attempt: number, random: number, baseMs: number, capMs: number): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random * ceiling);
}
