import { readdirSync, readFileSync } from 'node:fs';

/** A process whose CPU time a phase reports, under a group name (`storage nodes` sums three processes). */
export interface MeteredProcess {
  readonly group: string;
  readonly pid: number;
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ); 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) the process has used so far, from /proc/<pid>/stat; undefined once it is gone. */
export function cpuSecondsOf(pid: number): number | undefined {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses; the fields after its last ')' are fixed.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/**
 * CPU time by group over an interval: `start()` at its beginning, `read()` at its end. A process gone by
 * then counts nothing, rather than a guess.
 */
export class CpuMeter {
  private readonly atStart = new Map<number, number | undefined>();

  constructor(private readonly processes: readonly MeteredProcess[]) {}

  start(): void {
    for (const { pid } of this.processes) this.atStart.set(pid, cpuSecondsOf(pid));
  }

  /** Group → CPU seconds since start(), groups in the order they were first listed. */
  read(): Map<string, number> {
    const byGroup = new Map<string, number>();
    for (const { group, pid } of this.processes) {
      const before = this.atStart.get(pid);
      const now = cpuSecondsOf(pid);
      const used = before === undefined || now === undefined ? 0 : now - before;
      byGroup.set(group, (byGroup.get(group) ?? 0) + used);
    }
    return byGroup;
  }
}

/** CPU seconds by group over a run → microseconds per successful request. */
export function perRequestMicros(cpuSeconds: ReadonlyMap<string, number>, ok: number): Map<string, number> {
  return new Map([...cpuSeconds].map(([group, seconds]) => [group, ok === 0 ? 0 : (seconds * 1e6) / ok]));
}

/**
 * The PostgreSQL backends serving `databases` now, found by their process titles (`postgres: [<cluster>:]
 * <user> <database> <client> <state>`), so that the shard connections the apps opened count as PostgreSQL's CPU.
 */
export function postgresBackendsOf(databases: readonly string[], group = 'PostgreSQL'): MeteredProcess[] {
  const wanted = new Set(databases);
  const backends: MeteredProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^[0-9]+$/.test(entry)) continue;
    let title: string;
    try {
      title = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
    } catch {
      continue;
    }
    const words = title.replace(/\0/g, ' ').trim().split(/\s+/);
    if (words[0] !== 'postgres:') continue;
    // Debian's servers set cluster_name, which the title carries first (`15/main:`).
    const [, database] = words[1]?.endsWith(':') ? words.slice(2) : words.slice(1);
    if (wanted.has(database)) backends.push({ group, pid: Number(entry) });
  }
  return backends;
}
