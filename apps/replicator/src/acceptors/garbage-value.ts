import type { StrongValue } from '@geokv/protocol';

/**
 * Whether a strong key's newest value leaves nothing to keep: none (never written, or emptied by an earlier
 * collection), a tombstone, or a value that expired before `expiredBeforeMs`. Expiry is judged by each
 * gateway's clock, so the cut-off lies a grace period in the past: no gateway whose clock is behind by less
 * still serves the value.
 */
export function isGarbageValue(value: StrongValue | null, expiredBeforeMs: number): boolean {
  return value === null || value.tombstone || (value.expiresAtMs !== null && value.expiresAtMs < expiredBeforeMs);
}
