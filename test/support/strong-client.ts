import { performance } from 'node:perf_hooks';
import type { HistoryOperation, RegisterInput, RegisterValue } from '@geokv/linearizability';
import { http, keyPath, type HttpResult } from './http';

/** How a request ended, as far as a client can tell. */
export type Ending =
  /** Answered, with a result the history records. */
  | 'answered'
  /** Refused before anything could apply (NO_QUORUM, CONTENDED, gateway not listening). */
  | 'not-applied'
  /** It may or may not have taken effect (OUTCOME_UNKNOWN, a timeout, a connection cut mid-request). */
  | 'unknown';

/** One request of the run, with enough to check both linearizability and what each region answered. */
export interface Attempt {
  readonly region: string;
  readonly call: number;
  readonly returned: number;
  readonly ending: Ending;
  /** HTTP status, or 0 when no answer came. */
  readonly status: number;
  /** The error code of a JSON error body, if any. */
  readonly code: string | null;
}

/**
 * A client of one strong keyspace that records every operation as the linearizability checker needs it.
 * Values written are unique, so an ETag maps to exactly one value, which turns If-Match into a
 * compare-and-set on values for the checker.
 */
export class StrongClient {
  readonly history: HistoryOperation[] = [];
  readonly attempts: Attempt[] = [];
  private readonly lastEtag = new Map<string, string | null>();
  private written = 0;

  constructor(
    readonly id: string,
    private readonly gatewayOf: (region: string) => string,
    private readonly keyspace: string,
    /** Shared by every client: any client may learn an ETag another one wrote. */
    private readonly valueByEtag: Map<string, string>,
  ) {}

  read(region: string, key: string): Promise<void> {
    return this.run(region, key, { kind: 'read' }, { method: 'GET' });
  }

  write(region: string, key: string): Promise<void> {
    const value = this.nextValue();
    return this.run(region, key, { kind: 'write', value }, { method: 'PUT', body: value });
  }

  delete(region: string, key: string): Promise<void> {
    return this.run(region, key, { kind: 'write', value: null }, { method: 'DELETE' });
  }

  /**
   * Compare-and-set from what this client last saw of the key: If-Match its ETag, or If-None-Match: * when
   * it last saw the key empty (or never looked).
   */
  compareAndSet(region: string, key: string): Promise<void> {
    const value = this.nextValue();
    const etag = this.lastEtag.get(key) ?? null;
    const expected = etag === null ? null : (this.valueByEtag.get(etag) ?? null);
    const headers: Record<string, string> = expected === null ? { 'if-none-match': '*' } : { 'if-match': `"${etag}"` };
    return this.run(region, key, { kind: 'cas', expected, value }, { method: 'PUT', body: value, headers });
  }

  private nextValue(): string {
    this.written += 1;
    return `${this.id}-${this.written}`;
  }

  private async run(region: string, key: string, input: RegisterInput, request: { method: string; body?: string; headers?: Record<string, string> }): Promise<void> {
    const call = performance.now();
    let result: HttpResult | null = null;
    let refused = false;
    try {
      result = await http(`${this.gatewayOf(region)}/v1/kv/${this.keyspace}/${keyPath(key)}`, { ...request, timeoutMs: 10_000 });
    } catch (error) {
      // Nothing listening (a killed gateway) means the request never arrived; anything else may have.
      refused = (error as { cause?: { code?: string } }).cause?.code === 'ECONNREFUSED';
    }
    const returned = performance.now();
    const code = result === null ? null : errorCodeOf(result);
    const ending = this.record(key, input, call, returned, result, code, refused);
    this.attempts.push({ region, call, returned, ending, status: result?.status ?? 0, code });
  }

  private record(key: string, input: RegisterInput, call: number, returned: number, result: HttpResult | null, code: string | null, refused: boolean): Ending {
    const base = { key, clientId: this.id, input, call };
    if (result === null) {
      if (refused) return 'not-applied';
      if (input.kind !== 'read') this.history.push(base);
      return 'unknown';
    }
    if (result.status === 503 && (code === 'NO_QUORUM' || code === 'CONTENDED')) return 'not-applied';
    if (result.status === 503 && code === 'OUTCOME_UNKNOWN') {
      if (input.kind !== 'read') this.history.push(base);
      return 'unknown';
    }
    const answered = (output: HistoryOperation['output']): Ending => {
      this.history.push({ ...base, return: returned, output });
      return 'answered';
    };
    if (input.kind === 'read' && (result.status === 200 || result.status === 404)) {
      const value: RegisterValue = result.status === 200 ? result.body.toString('utf8') : null;
      this.learn(key, result, value);
      return answered({ kind: 'read', value });
    }
    if (input.kind === 'write' && result.status === 204) {
      this.learn(key, result, input.value);
      return answered({ kind: 'write' });
    }
    if (input.kind === 'cas' && (result.status === 204 || result.status === 412)) {
      if (result.status === 204) this.learn(key, result, input.value);
      return answered({ kind: 'cas', ok: result.status === 204 });
    }
    throw new Error(`unexpected answer to ${input.kind} of ${key}: HTTP ${result.status} ${result.body.toString('utf8').slice(0, 300)}`);
  }

  /** Remembers the key's ETag and which value it names. */
  private learn(key: string, result: HttpResult, value: RegisterValue): void {
    const etag = result.headers.get('etag')?.replace(/"/g, '') ?? null;
    if (value === null || etag === null) {
      this.lastEtag.set(key, null);
      return;
    }
    this.valueByEtag.set(etag, value);
    this.lastEtag.set(key, etag);
  }
}

function errorCodeOf(result: HttpResult): string | null {
  if (result.status < 400) return null;
  try {
    return (JSON.parse(result.body.toString('utf8')) as { error?: string }).error ?? null;
  } catch {
    return null;
  }
}
