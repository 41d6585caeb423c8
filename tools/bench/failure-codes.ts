/**
 * Failed responses by status and the gateway's error code (`{"error": "CONTENDED", …}`), e.g.
 * `503 CONTENDED×3 503 NO_QUORUM×1`: for a strong keyspace a 503 alone does not say whether the operation
 * lost to a concurrent one, could not reach a majority, or may still take effect.
 */
export class FailureCodes {
  private readonly counts = new Map<string, number>();

  /** Counts a response outside 2xx; a body that is not the gateway's JSON error counts under its status alone. */
  record(status: number, body: string): void {
    if (status >= 200 && status < 300) return;
    const label = `${status}${codeOf(body)}`;
    this.counts.set(label, (this.counts.get(label) ?? 0) + 1);
  }

  /** Forgets what was counted, e.g. during a warm-up. */
  reset(): void {
    this.counts.clear();
  }

  /** The counts, most frequent first, e.g. `503 CONTENDED×3 412×1`; '' when every response was 2xx. */
  describe(): string {
    return [...this.counts]
      .sort(([a, countA], [b, countB]) => countB - countA || a.localeCompare(b))
      .map(([label, count]) => `${label}×${count}`)
      .join(' ');
  }
}

/** ` CONTENDED` from the gateway's error body, or '' when the body is not one. */
function codeOf(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    // Not JSON (a proxy's or Fastify's own page): the status says all there is.
    if (error instanceof SyntaxError) return '';
    throw error;
  }
  if (typeof parsed !== 'object' || parsed === null || !('error' in parsed)) return '';
  return typeof parsed.error === 'string' ? ` ${parsed.error}` : '';
}
