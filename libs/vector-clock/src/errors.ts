/** A causal-context token from a client could not be decoded; the request should be rejected (HTTP 400). */
export class MalformedContextError extends Error {
  readonly code = 'MALFORMED_CONTEXT' as const;

  constructor(reason: string) {
    super(`malformed causal context: ${reason}`);
    this.name = 'MalformedContextError';
  }
}

/**
 * A clock is too large to fit in a causal-context token that decodeContext would accept. Refusing to
 * encode it is better than handing a client a token the server will later reject.
 */
export class ContextTooLargeError extends Error {
  readonly code = 'CONTEXT_TOO_LARGE' as const;

  constructor(reason: string) {
    super(`causal context too large: ${reason}`);
    this.name = 'ContextTooLargeError';
  }
}

/** A hybrid-logical-clock timestamp received from another node is not a valid timestamp. */
export class InvalidTimestampError extends Error {
  readonly code = 'INVALID_TIMESTAMP' as const;

  constructor(reason: string) {
    super(`invalid HLC timestamp: ${reason}`);
    this.name = 'InvalidTimestampError';
  }
}
