import type { LoggerService } from '@nestjs/common';
import { quietTransportLogs, RepeatedLog } from './repeated-log';

/** Keeps what would have been logged. */
class RecordingLogger implements LoggerService {
  readonly lines: { level: string; args: unknown[] }[] = [];
  log(...args: unknown[]): void {
    this.lines.push({ level: 'log', args });
  }
  warn(...args: unknown[]): void {
    this.lines.push({ level: 'warn', args });
  }
  error(...args: unknown[]): void {
    this.lines.push({ level: 'error', args });
  }
}

describe('RepeatedLog', () => {
  it('writes the first line at once, then one per ten seconds with how many it left out', () => {
    const written: Record<string, unknown>[] = [];
    let nowMs = 1_000_000;
    const log = new RepeatedLog((fields) => written.push(fields), () => nowMs);
    // A Redis down for 25 s, retried every 500 ms.
    for (let attempt = 0; attempt < 50; attempt += 1) {
      log.note({ attempt });
      nowMs += 500;
    }
    expect(written).toEqual([
      { attempt: 0 },
      { attempt: 20, sameLinesNotLogged: 19, sinceMs: 10_000 },
      { attempt: 40, sameLinesNotLogged: 19, sinceMs: 10_000 },
    ]);
  });

  it('writes at once again after a quiet spell', () => {
    const written: Record<string, unknown>[] = [];
    let nowMs = 0;
    const log = new RepeatedLog((fields) => written.push(fields), () => nowMs);
    log.note({ outage: 1 });
    nowMs += 60_000;
    log.note({ outage: 2 });
    expect(written).toEqual([{ outage: 1 }, { outage: 2 }]);
  });
});

describe('quietTransportLogs', () => {
  it("thins the transport's connection errors and Reconnecting lines, and lets its other lines through", () => {
    const logger = new RecordingLogger();
    const onError = quietTransportLogs(logger, 'client');
    const refused = new Error('connect ECONNREFUSED 127.0.0.1:6379');
    for (let attempt = 0; attempt < 5; attempt += 1) {
      onError(refused);
      logger.log('Reconnecting to Redis...');
    }
    logger.log('Connected to Redis. Subscribing to channels...');
    expect(logger.lines).toEqual([
      { level: 'error', args: [{ err: refused }, 'Redis connection error; the transport client keeps retrying'] },
      { level: 'log', args: [{}, 'Reconnecting to Redis...'] },
      { level: 'log', args: ['Connected to Redis. Subscribing to channels...'] },
    ]);
  });
});
