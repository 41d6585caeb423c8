import autocannon from 'autocannon';
import { benchValue, KEY_SPACE } from './bench-config';
import type { FailureCodes } from './failure-codes';

/**
 * Distinct keys in the GET phases' request list. Each connection cycles through the whole list from its
 * start; autocannon builds the list once per connection, so it stays short.
 */
const GET_REQUEST_LIST = 2_000;
/** How many requests a connection sends to its own key before it moves to another (see ownKeyPutRequests). */
const OWN_KEY_LIST = 1_000;

/**
 * Keys are `<prefix>-<n>` in one keyspace (`bench-<n>` unless a phase needs keys no earlier phase wrote);
 * the PUT phase records which n it stored so the GET phase reads only those.
 */
export class BenchKeys {
  private readonly stored = new Uint8Array(KEY_SPACE);
  private next = 0;
  private wrong = 0;

  /** With `failures`, every response outside 2xx is counted by its error code (which makes GETs capture bodies). */
  constructor(
    private readonly keyspace: string,
    private readonly failures?: FailureCodes,
    private readonly prefix = 'bench',
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
          request.path = this.pathOf(n);
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
   * PUTs that each connection sends to a key of its own, again and again (a new value each time): on a
   * strong keyspace, every one after a connection's first can go through the ballot the gateway holds for
   * the key (one round trip between regions instead of two). Values are not recorded for reading back.
   * autocannon starts a connection's context afresh each time it has walked the request list, so the list
   * repeats the request OWN_KEY_LIST times, and a connection moves to a new key only that often.
   */
  ownKeyPutRequests(): autocannon.Request[] {
    let writes = 0;
    const request: autocannon.Request = {
      method: 'PUT',
      headers: { 'content-type': 'application/octet-stream' },
      setupRequest: (next, context) => {
        const own = typeof context.own === 'number' ? context.own : (context.own = this.next++ % KEY_SPACE);
        next.path = this.pathOf(own);
        next.body = benchValue(writes++);
        return next;
      },
      ...this.failureCallback(),
    };
    return new Array<autocannon.Request>(OWN_KEY_LIST).fill(request);
  }

  /**
   * PUTs from every connection to one key (a new value each time): on a strong keyspace, the operations that
   * arrive while the key's round runs share the next round (KeyedBatches). Not recorded for reading back.
   */
  oneKeyPutRequests(): autocannon.Request[] {
    const path = this.pathOf(this.next++ % KEY_SPACE);
    let writes = 0;
    return [
      {
        method: 'PUT',
        path,
        headers: { 'content-type': 'application/octet-stream' },
        setupRequest: (next) => {
          next.body = benchValue(writes++);
          return next;
        },
        ...this.failureCallback(),
      },
    ];
  }

  /**
   * GETs of keys the PUT phase stored, for throughput against bare Fastify: a fixed list of at most
   * GET_REQUEST_LIST of them, spread over what was stored, that autocannon builds once and every
   * connection walks from its start (so connections often read the same key at once). A request rebuilt
   * per send cost the load generator 10-20 µs more per GET, on the two cores it shares with geokv, and the
   * baseline sends a prebuilt request too. No response callback unless failures are counted: with one,
   * autocannon captures every body. Bodies are checked afterwards instead (verifySample).
   */
  prebuiltGetRequests(): autocannon.Request[] {
    const keys = this.storedKeysOrThrow();
    return spreadSample(keys, GET_REQUEST_LIST).map((n) => ({ method: 'GET', path: this.pathOf(n), ...this.failureCallback() }));
  }

  /**
   * GETs of keys the PUT phase stored, each request the next key round robin, so that no two requests in
   * flight read the same key (a strong read is a round of consensus on its key; two at once contend).
   */
  getRequests(): autocannon.Request[] {
    const keys = this.storedKeysOrThrow();
    let next = 0;
    return [
      {
        method: 'GET',
        setupRequest: (request) => {
          request.path = this.pathOf(keys[next++ % keys.length]);
          return request;
        },
        ...this.failureCallback(),
      },
    ];
  }

  /** Reads `count` stored keys spread over the key space and counts the bodies that are not their value. */
  async verifySample(gatewayUrl: string, count: number): Promise<void> {
    for (const n of spreadSample(this.storedKeys(), count)) {
      const response = await fetch(`${gatewayUrl}${this.pathOf(n)}`, { signal: AbortSignal.timeout(5_000) });
      if ((await response.text()) !== benchValue(n)) this.wrong++;
    }
  }

  private pathOf(n: number): string {
    return benchKeyPath(this.keyspace, n, this.prefix);
  }

  get wrongBodies(): number {
    return this.wrong;
  }

  private storedKeysOrThrow(): number[] {
    const keys = this.storedKeys();
    if (keys.length === 0) throw new Error('the PUT phase stored no key, so there is nothing to GET');
    return keys;
  }

  private failureCallback(): Pick<autocannon.Request, 'onResponse'> {
    const failures = this.failures;
    return failures === undefined ? {} : { onResponse: (status: number, body: string) => failures.record(status, body) };
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
export function benchKeyPath(keyspace: string, n: number, prefix = 'bench'): string {
  return `/v1/kv/${keyspace}/${prefix}-${n}`;
}

/** About `count` of `items`, evenly spaced over them (all of them when there are fewer). */
export function spreadSample<T>(items: readonly T[], count: number): T[] {
  const step = Math.max(1, Math.floor(items.length / count));
  const sample: T[] = [];
  for (let i = 0; i < items.length && sample.length < count; i += step) sample.push(items[i]);
  return sample;
}
