import autocannon from 'autocannon';
import { benchValue, KEY_SPACE } from './bench-config';

/**
 * Keys are `bench-<n>` in one keyspace (each keyspace measured gets its own BenchKeys); the PUT phase
 * records which n it stored so the GET phase reads only those.
 */
export class BenchKeys {
  private readonly stored = new Uint8Array(KEY_SPACE);
  private next = 0;
  private wrong = 0;

  constructor(private readonly keyspace: string) {}

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
        onResponse: (status, _body, context) => {
          if (status >= 200 && status < 300 && typeof context.n === 'number') this.stored[context.n] = 1;
        },
      },
    ];
  }

  /**
   * GET of keys the PUT phase stored, round robin. No response callback: with one, autocannon captures
   * every body, which loads the load generator (it shares the two cores with geokv, and the bare-Fastify
   * baseline pays nothing of the kind). Bodies are checked afterwards instead (verifySample).
   */
  getRequests(): autocannon.Request[] {
    const keys = this.storedKeys();
    if (keys.length === 0) throw new Error('the PUT phase stored no key, so there is nothing to GET');
    let next = 0;
    return [
      {
        method: 'GET',
        setupRequest: (request) => {
          request.path = benchKeyPath(this.keyspace, keys[next++ % keys.length]);
          return request;
        },
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
