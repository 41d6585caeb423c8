import { WARMUP_SECONDS } from './bench-config';
import { describeKeyspace } from './bench-keyspaces';
import { throughputRatio, type PhaseResult } from './phase-result';
import type { StrongBenchResult, StrongRound } from './strong-bench';
import { table } from './text-table';

/**
 * The strong part's report: every phase with and without the injected delay, strong against eventual, and
 * the delayed strong latencies against what CASPaxos should cost: two round trips between regions for a
 * write (prepare, accept), one for a read whose prepare finds a majority of acceptors agreeing, and one for
 * a write through a ballot the gateway holds (the key's last operation was its own). The
 * light-load phases are the ones to hold against the round trips: under load the latency of a closed
 * loop on two saturated cores is mostly queueing.
 */
export function formatStrongReport(result: StrongBenchResult): string {
  const { healthy, delayed } = result;
  const lines = [
    `strong: ${result.regions.length} regions (${result.regions.join(', ')}), ${result.storageNodesPerRegion} storage nodes each; ` +
      `load on ${result.region}'s gateway, ${result.seconds} s per phase after ${WARMUP_SECONDS} s warm-up`,
    `  eventual: ${describeKeyspace(healthy.eventual.keyspace)}, acknowledged in ${result.region}; ` +
      `strong: ${describeKeyspace(healthy.strong.keyspace)}, one CASPaxos round over one acceptor per region`,
  ];
  const rounds = [healthy, delayed];
  const phases = rounds.flatMap((round) => [
    ...[round.eventual.put, round.eventual.get, round.strong.put, round.strong.get, round.strongOneKey].map((phase) => ({ round, phase, connections: result.connections })),
    ...[round.strongLight.put, round.strongLight.get, round.strongOwnKeys].map((phase) => ({ round, phase, connections: result.lightConnections })),
  ]);
  lines.push(
    ...table([
      ['phase', 'link delay', 'conns', 'ok/s', 'p50 ms', 'p99 ms', 'non-2xx', 'errors', 'timeouts', 'wrong body'],
      ...phases.map(({ round, phase, connections }) => [
        phase.name,
        `${round.delayMs} ms`,
        String(connections),
        phase.okPerSecond.toFixed(0),
        phase.p50Ms.toFixed(2),
        phase.p99Ms.toFixed(2),
        String(phase.non2xx ?? 0),
        String(phase.errors),
        String(phase.timeouts),
        String(phase.wrongBodies),
      ]),
    ]),
  );
  for (const { round, phase } of phases.filter((entry) => entry.phase.notes !== '')) lines.push(`  ${phase.name}, ${round.delayMs} ms: ${phase.notes}`);
  lines.push('  latencies are of 2xx responses; wrong body: of values read back after a loaded GET phase, how many were not the one stored');

  lines.push('', `strong / eventual under load (ok/s; p50 strong vs eventual)`);
  for (const round of rounds) {
    const compare = (strong: PhaseResult, eventual: PhaseResult): string =>
      `${throughputRatio(strong, eventual).toFixed(2)}x (p50 ${strong.p50Ms.toFixed(1)} vs ${eventual.p50Ms.toFixed(1)} ms)`;
    lines.push(`  ${`${round.delayMs} ms:`.padEnd(8)} PUT ${compare(round.strong.put, round.eventual.put)}   GET ${compare(round.strong.get, round.eventual.get)}`);
  }

  lines.push('', ...roundTrips(result, delayed, healthy));

  const failures = phases.reduce((sum, { phase }) => sum + (phase.non2xx ?? 0) + phase.errors + phase.timeouts + phase.wrongBodies, 0);
  if (failures > 0) lines.push('', `WARNING: ${failures} failed requests or wrong bodies; the figures above include them.`);
  return lines.join('\n');
}

/** The delayed round's strong latencies against the round trips CASPaxos needs, and the eventual ones beside them. */
function roundTrips(result: StrongBenchResult, delayed: StrongRound, healthy: StrongRound): string[] {
  const rttMs = 2 * delayed.delayMs;
  const measured = delayed.linkRtts.map((link) => `${link.from}→${link.to} ${link.ms.toFixed(1)} ms`).join(', ');
  const light = `${result.lightConnections} connections`;
  const { put, get } = delayed.strongLight;
  // What the delay added, against what it should add: the part of the latency that is the round trips, whatever the machine's own cost.
  const added = (delayedMs: number, healthyMs: number): string => `${(delayedMs - healthyMs).toFixed(1)} ms`;
  return [
    `with ${delayed.delayMs} ms each way on every link between regions: RTT ${rttMs} ms (measured, median Redis PING through the proxy: ${measured})`,
    `  strong PUT, ${light}: latency p50 ${ms(put.p50Ms)} vs 2×RTT = ${2 * rttMs} ms (${excess(put.p50Ms, 2 * rttMs)}); ` +
      `p99 ${ms(put.p99Ms)} (${excess(put.p99Ms, 2 * rttMs)})`,
    `    without delay p50 ${ms(healthy.strongLight.put.p50Ms)}: the delay added ${added(put.p50Ms, healthy.strongLight.put.p50Ms)} (2×RTT = ${2 * rttMs} ms)`,
    `  strong PUT, each connection to a key of its own (held ballots), ${light}: latency p50 ${ms(delayed.strongOwnKeys.p50Ms)} vs 1×RTT = ${rttMs} ms ` +
      `(${excess(delayed.strongOwnKeys.p50Ms, rttMs)}); p99 ${ms(delayed.strongOwnKeys.p99Ms)}; without delay p50 ${ms(healthy.strongOwnKeys.p50Ms)}`,
    `  strong GET, ${light}: latency p50 ${ms(get.p50Ms)} vs 1×RTT = ${rttMs} ms (${excess(get.p50Ms, rttMs)}), ` +
      `2×RTT = ${2 * rttMs} ms (${excess(get.p50Ms, 2 * rttMs)}); p99 ${ms(get.p99Ms)}`,
    `    without delay p50 ${ms(healthy.strongLight.get.p50Ms)}: the delay added ${added(get.p50Ms, healthy.strongLight.get.p50Ms)} (1×RTT = ${rttMs} ms)`,
    `  under load (${result.connections} connections): strong PUT p50 ${ms(delayed.strong.put.p50Ms)} (${excess(delayed.strong.put.p50Ms, 2 * rttMs)} over 2×RTT; ` +
      `${ms(healthy.strong.put.p50Ms)} without delay), strong GET p50 ${ms(delayed.strong.get.p50Ms)} (${ms(healthy.strong.get.p50Ms)} without delay)`,
    `  eventual PUT p50 ${ms(delayed.eventual.put.p50Ms)} (${ms(healthy.eventual.put.p50Ms)} without delay), ` +
      `GET p50 ${ms(delayed.eventual.get.p50Ms)} (${ms(healthy.eventual.get.p50Ms)}): both are answered in ${result.region}`,
    `  a closed loop of ${result.connections} connections at the loaded strong PUT's p50 makes about ` +
      `${closedLoopCeiling(result.connections, delayed.strong.put)} PUT/s; measured ${delayed.strong.put.okPerSecond.toFixed(0)}`,
    `  strong PUT, all ${result.connections} connections on one key (they share rounds): ${delayed.strongOneKey.okPerSecond.toFixed(0)} ok/s, ` +
      `p50 ${ms(delayed.strongOneKey.p50Ms)} (a round already running, then its own: up to 2×RTT = ${2 * rttMs} ms); ` +
      `without delay ${healthy.strongOneKey.okPerSecond.toFixed(0)} ok/s, p50 ${ms(healthy.strongOneKey.p50Ms)}`,
  ];
}

function ms(value: number): string {
  return `${value.toFixed(1)} ms`;
}

/** `+12.3 ms, +6%` (or `-4.0 ms, -2%`): how far a latency is above what the protocol needs. */
export function excess(measuredMs: number, expectedMs: number): string {
  const over = measuredMs - expectedMs;
  const sign = over < 0 ? '-' : '+';
  const percent = expectedMs > 0 ? `, ${sign}${((Math.abs(over) / expectedMs) * 100).toFixed(0)}%` : '';
  return `${sign}${Math.abs(over).toFixed(1)} ms${percent}`;
}

/** What a closed loop of `connections`, one request each in flight, makes per second at the phase's median latency. */
function closedLoopCeiling(connections: number, phase: PhaseResult): string {
  return phase.p50Ms > 0 ? ((connections * 1000) / phase.p50Ms).toFixed(0) : '-';
}
