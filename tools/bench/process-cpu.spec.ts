import { Client } from 'pg';
import { defaultAdminUrl } from '@geokv/test-support';
import { CpuMeter, cpuSecondsOf, postgresBackendsOf } from './process-cpu';

/** Busy until this process has used `seconds` more CPU by Node's own count (or 5 s have passed). */
function burnCpu(seconds: number): void {
  const start = process.cpuUsage();
  const giveUpAt = performance.now() + 5_000;
  for (;;) {
    const used = process.cpuUsage(start);
    if ((used.user + used.system) / 1e6 >= seconds || performance.now() > giveUpAt) return;
  }
}

describe('process CPU', () => {
  it('reads a running process, and nothing for one that does not exist', () => {
    expect(cpuSecondsOf(process.pid)).toBeGreaterThan(0);
    expect(cpuSecondsOf(2 ** 30)).toBeUndefined();
  });

  it('measures the CPU a process used over an interval, summed by group', () => {
    const meter = new CpuMeter([
      { group: 'this process', pid: process.pid },
      { group: 'gone', pid: 2 ** 30 },
    ]);
    meter.start();
    burnCpu(0.3);
    const used = meter.read();

    expect([...used.keys()]).toEqual(['this process', 'gone']);
    // /proc counts in 10 ms ticks, and other threads of this process add a little.
    expect(used.get('this process')).toBeGreaterThanOrEqual(0.28);
    expect(used.get('this process')).toBeLessThan(1);
    expect(used.get('gone')).toBe(0);
  });

  it('finds the PostgreSQL backend serving a connection to a database, and none for another database', async () => {
    const client = new Client({ connectionString: defaultAdminUrl() });
    await client.connect();
    try {
      const { rows } = await client.query<{ pid: number; db: string }>('SELECT pg_backend_pid() AS pid, current_database() AS db');
      expect(postgresBackendsOf([rows[0].db]).map((backend) => backend.pid)).toContain(rows[0].pid);
      expect(postgresBackendsOf(['no_such_database_here'])).toEqual([]);
    } finally {
      await client.end();
    }
  });
});
