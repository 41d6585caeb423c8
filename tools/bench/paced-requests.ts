import { Agent, request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';

export interface PacedRequest {
  readonly method: string;
  readonly path: string;
  readonly body?: string;
}

export interface PacedLoad {
  readonly url: string;
  readonly ratePerSecond: number;
  readonly seconds: number;
  /** The i-th request of the run. */
  readonly requestOf: (i: number) => PacedRequest;
  /** Called with each answered request's status. */
  readonly onResponse?: (i: number, status: number) => void;
}

export interface PacedResult {
  readonly ok: number;
  readonly failed: number;
  /** Requests due while MAX_IN_FLIGHT were outstanding: never sent, so the rate was not held. */
  readonly notSent: number;
}

/** Bounds the open loop: a system this far behind is overloaded, and more requests would only pile up. */
export const MAX_IN_FLIGHT = 512;
const REQUEST_TIMEOUT_MS = 10_000;

/**
 * Open-loop requests at an even pace: rate × seconds of them, the i-th leaving at i / rate seconds whatever
 * the answers to the earlier ones, as users' writes do. autocannon's rate is not that: each connection
 * sends back to back until it has made its share of the second and then pauses, so a second's requests
 * arrive as one burst at its start, and a measured delay is mostly the queue of that burst.
 */
export async function runPacedRequests(load: PacedLoad): Promise<PacedResult> {
  const target = new URL(load.url);
  const agent = new Agent({ keepAlive: true, maxSockets: MAX_IN_FLIGHT });
  const counts = { ok: 0, failed: 0, notSent: 0 };
  let inFlight = 0;
  const outstanding = new Set<Promise<void>>();
  const send = (i: number): void => {
    if (inFlight >= MAX_IN_FLIGHT) {
      counts.notSent++;
      return;
    }
    inFlight++;
    const answered = answerOf(agent, target, load.requestOf(i)).then((status) => {
      if (status >= 200 && status < 300) counts.ok++;
      else counts.failed++;
      load.onResponse?.(i, status);
    });
    const settled = answered.finally(() => {
      inFlight--;
      outstanding.delete(settled);
    });
    outstanding.add(settled);
  };

  const total = Math.round(load.ratePerSecond * load.seconds);
  const startMs = performance.now();
  let sent = 0;
  while (sent < total) {
    const due = Math.min(total, Math.floor(((performance.now() - startMs) * load.ratePerSecond) / 1000) + 1);
    while (sent < due) send(sent++);
    await sleep(1);
  }
  await Promise.all(outstanding);
  agent.destroy();
  return counts;
}

/** The request's status once its body has been read; 0 when it failed or timed out. */
function answerOf(agent: Agent, target: URL, request: PacedRequest): Promise<number> {
  return new Promise((resolve) => {
    const body = request.body === undefined ? undefined : Buffer.from(request.body);
    const outgoing = httpRequest(
      {
        agent,
        host: target.hostname,
        port: target.port,
        method: request.method,
        path: request.path,
        headers: body === undefined ? {} : { 'content-type': 'application/octet-stream', 'content-length': body.length },
        timeout: REQUEST_TIMEOUT_MS,
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
        response.on('error', () => resolve(0));
      },
    );
    outgoing.on('timeout', () => outgoing.destroy(new Error('timed out')));
    outgoing.on('error', () => resolve(0));
    outgoing.end(body);
  });
}
