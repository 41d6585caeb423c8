import type { LoggerService } from '@nestjs/common';

/** After a line is logged, the same line is only counted for this long. */
const QUIET_MS = 10_000;

/** What Nest's Redis transport logs at every reconnection attempt of each connection. */
const RECONNECTING = 'Reconnecting to Redis...';

/**
 * A log line that repeats for as long as its cause lasts: while Redis is down, every reconnection attempt
 * of each of an app's connections (twice a second each) logged an error and a "Reconnecting" line. The
 * first is written at once, then at most one per quiet period, saying how many were left out.
 */
export class RepeatedLog {
  private lastWrittenAtMs = Number.NEGATIVE_INFINITY;
  private leftOut = 0;

  constructor(
    private readonly write: (fields: Record<string, unknown>) => void,
    private readonly now: () => number = Date.now,
  ) {}

  note(fields: Record<string, unknown> = {}): void {
    const nowMs = this.now();
    if (nowMs - this.lastWrittenAtMs < QUIET_MS) {
      this.leftOut += 1;
      return;
    }
    this.lastWrittenAtMs = nowMs;
    const leftOut = this.leftOut;
    this.leftOut = 0;
    this.write(leftOut === 0 ? fields : { ...fields, sameLinesNotLogged: leftOut, sinceMs: QUIET_MS });
  }
}

/**
 * Quiets a Nest Redis transport (client or server) during an outage: its connection errors and its
 * "Reconnecting" lines each go through a RepeatedLog. Returns the listener for its connections' errors.
 */
export function quietTransportLogs(logger: LoggerService, role: 'client' | 'server'): (error: unknown) => void {
  const errors = new RepeatedLog((fields) => logger.error(fields, `Redis connection error; the transport ${role} keeps retrying`));
  const reconnects = new RepeatedLog((fields) => log(fields, RECONNECTING));
  const log = logger.log.bind(logger);
  // Nest's listener also marks the connection as reconnecting, which must stay; only its line is thinned.
  logger.log = (message: unknown, ...rest: unknown[]) => (message === RECONNECTING ? reconnects.note() : log(message, ...rest));
  return (error) => errors.note({ err: error });
}
