import { cpus } from 'node:os';
import { CONVERGENCE_TARGET_MS, LAG_MARGIN_TARGET_MS } from './bench-config';
import { describeKeyspace } from './bench-keyspaces';
import { MAX_IN_FLIGHT } from './paced-requests';
import type { PhaseCpu, ReplicationBenchResult } from './replication-bench';
import { table } from './text-table';

/** The replication table: lag percentiles per phase and convergence, each against its target. */
export function formatReplicationReport(result: ReplicationBenchResult, setup: { rate: number; seconds: number; storageNodes: number }): string {
  const { rate, seconds, storageNodes } = setup;
  const { healthy, delayed, convergence } = result;
  const lag = [healthy, delayed];
  const ms = (value: number | null): string => (value === null ? '-' : value.toFixed(1));
  const lines = [`replication: 3 regions of ${storageNodes} storage node${storageNodes === 1 ? '' : 's'}, ${rate} writes/s spread over them for ${seconds} s per phase, keyspace ${describeKeyspace(result.keyspace)}`];
  lines.push(
    ...table([
      ['phase', 'writes/s', 'failed', 'not sent', 'applied in peers', 'lag p50 ms', 'lag p99 ms', 'target p99 ms', 'verdict'],
      ...lag.map((phase) => {
        const target = phase.injectedDelayMs + LAG_MARGIN_TARGET_MS;
        const verdict = phase.p99Ms === null ? 'no data' : phase.p99Ms <= target ? 'met' : 'MISSED';
        return [phase.name, phase.writesPerSecond.toFixed(0), String(phase.failedWrites), String(phase.notSent), String(phase.applied), ms(phase.p50Ms), ms(phase.p99Ms), `<= ${target}`, verdict];
      }),
    ]),
  );
  lines.push('', 'CPU while the writes were made (cores busy; the machine as a whole, then geokv\'s processes by kind)');
  for (const phase of lag) lines.push(`  ${phase.name}: ${describeCpu(phase.cpu)}`);
  const verdict = convergence.convergeMs <= CONVERGENCE_TARGET_MS ? 'met' : 'MISSED';
  lines.push(
    '',
    `convergence after a ${convergence.partitionSeconds} s partition of eu-west (${convergence.writesDuringPartition} writes during it, ` +
      `${convergence.failedWrites} failed, ${convergence.notSent} not sent): ${(convergence.convergeMs / 1000).toFixed(2)} s  (target <= ${CONVERGENCE_TARGET_MS / 1000} s)  ${verdict}`,
    `  CPU while the backlog drained: ${describeCpu(convergence.cpu)}`,
    `  read back ${convergence.keysChecked} sampled writes across the regions afterwards: ${convergence.keysMissing} missing or wrong`,
    `  writes are paced evenly, open loop; "not sent": due while ${MAX_IN_FLIGHT} of a region's writes were outstanding (more than it can take)`,
    '  lag: from a write\'s HLC time in its region to its version being durable on a write quorum in a peer (geokv_replication_delay_seconds),',
    '  interpolated inside histogram buckets; for comparison, DynamoDB Global Tables replicates "usually within a second".',
  );
  return lines.join('\n');
}

/** e.g. `machine 97% of 2 cores; storage nodes 0.90, PostgreSQL 0.30, ...`, busiest first. */
export function describeCpu(cpu: PhaseCpu, cores = cpus().length): string {
  const groups = [...cpu.coresByGroup].sort((a, b) => b[1] - a[1]).map(([group, used]) => `${group} ${used.toFixed(2)}`);
  return `machine ${(cpu.machineBusy * 100).toFixed(0)}% of ${cores} cores; ${groups.join(', ')}`;
}
