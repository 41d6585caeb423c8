import { runPacedRequests } from './paced-requests';
import { cpuSecondsOf } from './process-cpu';

/** A bare HTTP server's CPU per request at one steady, open-loop pace. */
export interface WakeupCost {
  readonly ratePerSecond: number;
  readonly ok: number;
  readonly cpuMicrosPerRequest: number;
}

/** Paces from a few requests per tick of an idle process up to one that rarely sleeps. */
export const WAKEUP_RATES = [100, 1_000, 5_000] as const;
const SECONDS_PER_RATE = 4;

/**
 * A baseline for the replication part: what a request costs the bare Fastify server when it comes alone
 * (the process sleeps between requests and the machine wakes it for each) against when requests come
 * close together. Every hop of a lightly loaded cluster (gateway, node, replicator, PostgreSQL backend,
 * Redis) pays the first price per message, so on a machine where waking a process is dear, twenty
 * processes at a few hundred messages a second each can fill the cores whatever the write rate.
 */
export async function measureWakeupCost(serverUrl: string, serverPid: number): Promise<WakeupCost[]> {
  const costs: WakeupCost[] = [];
  for (const ratePerSecond of WAKEUP_RATES) {
    const before = cpuSecondsOf(serverPid);
    const result = await runPacedRequests({ url: serverUrl, ratePerSecond, seconds: SECONDS_PER_RATE, requestOf: () => ({ method: 'GET', path: '/' }) });
    const after = cpuSecondsOf(serverPid);
    if (before === undefined || after === undefined) throw new Error('the bare Fastify server exited while its wakeup cost was measured');
    costs.push({ ratePerSecond, ok: result.ok, cpuMicrosPerRequest: result.ok === 0 ? 0 : ((after - before) * 1e6) / result.ok });
  }
  return costs;
}

/** e.g. `bare Fastify GET / at a steady pace, CPU per request: 320 µs at 100/s, 86 µs at 1000/s, 20 µs at 5000/s`. */
export function describeWakeupCost(costs: readonly WakeupCost[]): string {
  const figures = costs.map((cost) => `${cost.cpuMicrosPerRequest.toFixed(0)} µs at ${cost.ratePerSecond}/s`).join(', ');
  return `bare Fastify GET / at a steady pace (this machine's cost of waking a process), CPU per request: ${figures}`;
}
