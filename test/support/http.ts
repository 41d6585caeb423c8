import { setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode } from '@geokv/protocol';

/** What a client observes of one HTTP exchange: status, headers and the raw body bytes. */
export interface HttpResult {
  readonly status: number;
  readonly headers: Headers;
  readonly body: Buffer;
}

export interface HttpOptions {
  readonly method?: string;
  readonly headers?: Record<string, string>;
  readonly body?: Buffer | string;
  /** Per-request deadline; generous by default because two cores run the whole cluster. */
  readonly timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 15_000;

/** One request with Node's fetch, the body read to the end as bytes. */
export async function http(url: string, options: HttpOptions = {}): Promise<HttpResult> {
  const response = await fetch(url, {
    method: options.method ?? 'GET',
    headers: options.headers,
    body: options.body,
    signal: AbortSignal.timeout(options.timeoutMs ?? DEFAULT_TIMEOUT_MS),
  });
  const body = Buffer.from(await response.arrayBuffer());
  return { status: response.status, headers: response.headers, body };
}

/** The body parsed as JSON; throws with the raw text when it is not JSON, so a failure shows what came back. */
export function jsonOf(result: HttpResult): unknown {
  const text = result.body.toString('utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new Error(`expected a JSON body, got HTTP ${result.status} with ${JSON.stringify(text.slice(0, 500))}`);
  }
}

/** The documented error body of every failure. */
export interface ErrorBody {
  readonly error: string;
  readonly message: string;
  readonly requestId: string;
}

const ERROR_CODES: readonly string[] = Object.values(ErrorCode);

/**
 * Asserts the API's error contract: the status, a JSON body `{ error, message, requestId }` whose error is
 * one of our codes (`code` when given), and the body's requestId equal to the X-Request-Id response
 * header. Returns the body.
 */
export function expectApiError(result: HttpResult, status: number, code?: string): ErrorBody {
  expectStatus(result, status);
  expect(result.headers.get('content-type') ?? '').toMatch(/^application\/json/);
  const body = jsonOf(result);
  expect(body).toEqual({
    error: code ?? expect.any(String),
    message: expect.any(String),
    requestId: expect.any(String),
  });
  const typed = body as ErrorBody;
  expect(ERROR_CODES).toContain(typed.error);
  expect(typed.message.length).toBeGreaterThan(0);
  expect(typed.requestId.length).toBeGreaterThan(0);
  expect(result.headers.get('x-request-id')).toBe(typed.requestId);
  return typed;
}

/** Asserts a status and shows the body when it differs (a bare status mismatch tells nobody why). */
export function expectStatus(result: HttpResult, status: number): void {
  const described = `HTTP ${result.status} ${result.body.toString('utf8').slice(0, 500)}`;
  expect({ status: result.status, described }).toEqual({ status, described: expect.any(String) });
}

/** A path segment for a key: each `/`-separated part percent-encoded, the slashes kept. */
export function keyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

export interface PollOptions {
  /** Hard bound on the whole wait. */
  readonly timeoutMs: number;
  readonly intervalMs?: number;
  /** What is being waited for, for the failure message. */
  readonly what: string;
}

/**
 * Calls `probe` until `accept` says yes, at most until the deadline (and at most 1,000 times); throws
 * with the last observation otherwise. Returns the accepted observation.
 */
export async function pollUntil<T>(probe: () => Promise<T>, accept: (value: T) => boolean, options: PollOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let last: string = 'nothing observed yet';
  for (let attempt = 0; attempt < 1_000 && Date.now() < deadline; attempt++) {
    try {
      const value = await probe();
      if (accept(value)) return value;
      last = describe(value);
    } catch (error) {
      last = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
    await sleep(options.intervalMs ?? 100);
  }
  throw new Error(`timed out after ${options.timeoutMs} ms waiting for ${options.what}; last observed: ${last}`);
}

function describe(value: unknown): string {
  if (typeof value === 'object' && value !== null && 'status' in value && 'body' in value && Buffer.isBuffer(value.body)) {
    return `HTTP ${String(value.status)} ${value.body.toString('utf8').slice(0, 300)}`;
  }
  return JSON.stringify(value)?.slice(0, 300) ?? String(value);
}
