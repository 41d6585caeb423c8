import { readFileSync } from 'node:fs';

/** The machine's CPU time so far, in /proc/stat's ticks summed over every core. */
export interface MachineTicks {
  readonly busy: number;
  readonly total: number;
}

/**
 * The aggregate `cpu` line of /proc/stat: user nice system idle iowait irq softirq steal (guest time is
 * already inside user). Idle and iowait are the only time no work ran.
 */
export function parseCpuLine(line: string): MachineTicks {
  const [label, ...fields] = line.trim().split(/\s+/);
  if (label !== 'cpu' || fields.length < 8) throw new Error(`not the aggregate cpu line of /proc/stat: ${JSON.stringify(line)}`);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = fields.slice(0, 8).map(Number);
  const busy = user + nice + system + irq + softirq + steal;
  return { busy, total: busy + idle + iowait };
}

function machineTicks(): MachineTicks {
  return parseCpuLine(readFileSync('/proc/stat', 'utf8').split('\n', 1)[0]);
}

/** How busy the whole machine was between start() and read(), whatever ran on it: 0 to 1. */
export class MachineCpuMeter {
  private atStart: MachineTicks | null = null;

  start(): void {
    this.atStart = machineTicks();
  }

  read(): number {
    if (this.atStart === null) throw new Error('MachineCpuMeter.read() before start()');
    const now = machineTicks();
    const total = now.total - this.atStart.total;
    return total === 0 ? 0 : (now.busy - this.atStart.busy) / total;
  }
}
