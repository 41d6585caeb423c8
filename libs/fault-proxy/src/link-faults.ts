/**
 * What a link does to the bytes that cross it. Faults apply to both directions of every connection on the
 * link, as a network fault between two regions would; the link in the opposite direction (the other
 * region's clients connecting back) is a separate link with its own faults.
 */
export interface LinkFaults {
  /** Added to every chunk, each way, in milliseconds; order is kept. */
  readonly delayMs: number;
  /**
   * A partition while set: connections stay open and carry nothing; senders stall as TCP flow control
   * would make them, and what they sent arrives intact after the heal.
   */
  readonly blackhole: boolean;
}

export const HEALTHY: LinkFaults = { delayMs: 0, blackhole: false };

/** Longest delay accepted; beyond it a test wants a blackhole, not a delay. */
export const MAX_DELAY_MS = 60_000;

export class InvalidFaultsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidFaultsError';
  }
}

/** Applies a partial update (from the control API, say) to the current faults, or throws InvalidFaultsError. */
export function updatedFaults(current: LinkFaults, update: unknown): LinkFaults {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    throw new InvalidFaultsError('expected a JSON object such as {"delayMs": 50} or {"blackhole": true}');
  }
  const unknown = Object.keys(update).filter((field) => field !== 'delayMs' && field !== 'blackhole');
  if (unknown.length > 0) throw new InvalidFaultsError(`unknown field(s): ${unknown.join(', ')}; expected delayMs, blackhole`);
  const { delayMs = current.delayMs, blackhole = current.blackhole } = update as Record<string, unknown>;
  if (typeof delayMs !== 'number' || !Number.isInteger(delayMs) || delayMs < 0 || delayMs > MAX_DELAY_MS) {
    throw new InvalidFaultsError(`delayMs must be an integer from 0 to ${MAX_DELAY_MS}`);
  }
  if (typeof blackhole !== 'boolean') throw new InvalidFaultsError('blackhole must be true or false');
  return { delayMs, blackhole };
}
