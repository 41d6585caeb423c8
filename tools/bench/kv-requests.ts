import autocannon from 'autocannon';
import { benchValue, KEY_SPACE } from './bench-config';
import type { FailureCodes } from './failure-codes';

/**
 * Keys are `bench-<n>` in one keyspace (each keyspace measured gets its own BenchKeys); the PUT phase
 * records which n it stored so the GET phase reads only those.
 */
export class BenchKeys {
  private readonly stored = new Uint8Array(KEY_SPACE);
  private next = 0;
  private wrong = 0;

  /** With `failures`, every response outside 2xx is counted by its error code (which makes GETs capture bodies). */
  constructor(
    private readonly keyspace: string,
    private readonly failures?: FailureCodes,
  ) {}

  /** PUT /v1/kv/<keyspace>/bench-<n> with benchValue(n), a new n per request, cycling over KEY_SPACE. */
  putRequests(): autocannon.Request[] {
    return [
      {
        method: 'PUT',
        headers: { 'content-type': 'application/octet-stream' },
        setupRequest: (request, context) => {
          const n = this.next++ % KEY_SPACE;
          context.n = n;
          // autocannon hands us a fresh copy per request, so mutating it is safe and cheaper than spreading.
          request.path = benchKeyPath(this.keyspace, n);
          request.body = benchValue(n);
          return request;
        },
        onResponse: (status, body, context) => {
          if (status >= 200 && status < 300 && typeof context.n === 'number') this.stored[context.n] = 1;
          this.failures?.record(status, body);
        },
      },
    ];
  }

  /**
   * GET of keys the PUT phase stored, round robin. No response callback unless failures are counted: with
   * one, autocannon captures every body, which loads the load generator (it shares the two cores with
   * geokv, and the bare-Fastify baseline pays nothing of the kind). Bodies are checked afterwards instead
   * (verifySample).
   */
  getRequests(): autocannon.Request[] {
    const keys = this.storedKeys();
    if (keys.length === 0) throw new Error('the PUT phase stored no key, so there is nothing to GET');
    let next = 0;
    const failures = this.failures;
    return [
      {
        method: 'GET',
        setupRequest: (request) => {
          request.path = benchKeyPath(this.keyspace, keys[next++ % keys.length]);
          return request;
        },
        ...(failures === undefined ? {} : { onResponse: (status: number, body: string) => failures.record(status, body) }),
      },
    ];
  }

  /** Reads `count` stored keys spread over the key space and counts the bodies that are not their value. */
  async verifySample(gatewayUrl: string, count: number): Promise<void> {
    const keys = this.storedKeys();
    const step = Math.max(1, Math.floor(keys.length / count));
    for (let i = 0; i < keys.length; i += step) {
      const response = await fetch(`${gatewayUrl}${benchKeyPath(this.keyspace, keys[i])}`, { signal: AbortSignal.timeout(5_000) });
      if ((await response.text()) !== benchValue(keys[i])) this.wrong++;
    }
  }

  get wrongBodies(): number {
    return this.wrong;
  }

  private storedKeys(): number[] {
    const keys: number[] = [];
    this.stored.forEach((flag, n) => {
      if (flag === 1) keys.push(n);
    });
    return keys;
  }
}

/** The path of key number `n` of a keyspace, whose value is benchValue(n). */
export function benchKeyPath(keyspace: string, n: number): string {
  return `/v1/kv/${keyspace}/bench-${n}`;
}
