import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { http, keyPath, type HttpResult } from './http';

/** One request the loop made, and what it got. */
export interface Attempt {
  readonly key: string;
  readonly value: Buffer;
  readonly status: number;
  readonly body: string;
}

/**
 * Writes fresh keys (and reads back ones already acknowledged) with a few concurrent clients until
 * stopped, bounded in count and in time either way. What a test asserts on is the attempts: every
 * acknowledged write, and every read's answer.
 */
export class LoadLoop {
  readonly writes: Attempt[] = [];
  readonly reads: Attempt[] = [];
  private stopped = false;
  private readonly running: Promise<void>;

  constructor(
    private readonly gatewayUrl: string,
    private readonly keyspace: string,
    private readonly prefix: string,
    options: { clients?: number; maxWrites?: number; maxMs?: number; pauseMs?: number } = {},
  ) {
    const clients = options.clients ?? 4;
    const deadline = Date.now() + (options.maxMs ?? 60_000);
    const maxWrites = options.maxWrites ?? 20_000;
    let next = 0;
    this.running = Promise.all(
      Array.from({ length: clients }, async (_, client) => {
        while (!this.stopped && Date.now() < deadline && next < maxWrites) {
          const key = `${this.prefix}${String(next++).padStart(6, '0')}`;
          const value = randomBytes(48);
          const written = await this.request('PUT', key, value);
          this.writes.push({ key, value, status: written.status, body: written.body.toString('utf8') });
          const acknowledged = this.acknowledged();
          if (acknowledged.length > 0) {
            const sample = acknowledged[(next * 7919 + client) % acknowledged.length];
            const read = await this.request('GET', sample.key);
            this.reads.push({ key: sample.key, value: sample.value, status: read.status, body: read.status === 200 && read.body.equals(sample.value) ? 'same' : read.body.toString('utf8') });
          }
          if (options.pauseMs) await sleep(options.pauseMs);
        }
      }),
    ).then(() => undefined);
  }

  /** Writes answered 204. */
  acknowledged(): Attempt[] {
    return this.writes.filter((attempt) => attempt.status === 204);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.running;
  }

  /** Failed writes and reads (a read fails when it is not 200 with the acknowledged bytes), described. */
  failures(): string[] {
    return [
      ...this.writes.filter((attempt) => attempt.status !== 204).map((attempt) => `PUT ${attempt.key}: ${attempt.status} ${attempt.body}`),
      ...this.reads.filter((attempt) => attempt.status !== 200 || attempt.body !== 'same').map((attempt) => `GET ${attempt.key}: ${attempt.status} ${attempt.body.slice(0, 200)}`),
    ];
  }

  private request(method: 'PUT' | 'GET', key: string, body?: Buffer): Promise<HttpResult> {
    const url = `${this.gatewayUrl}/v1/kv/${this.keyspace}/${keyPath(key)}`;
    return http(url, { method, body, headers: body === undefined ? {} : { 'content-type': 'application/octet-stream' } }).catch(
      (error: unknown): HttpResult => ({ status: -1, headers: new Headers(), body: Buffer.from(String(error)) }),
    );
  }
}
