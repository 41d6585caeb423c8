import { cpus } from 'node:os';
import { MachineCpuMeter, parseCpuLine } from './machine-cpu';

describe('machine CPU', () => {
  it('counts user, nice, system, irq, softirq and steal as busy, idle and iowait as not', () => {
    expect(parseCpuLine('cpu  100 5 20 1000 50 1 2 3 0 0')).toEqual({ busy: 131, total: 1181 });
  });

  it('refuses a line that is not the aggregate cpu line', () => {
    expect(() => parseCpuLine('cpu0 1 2 3 4 5 6 7 8')).toThrow(/aggregate cpu line/);
    expect(() => parseCpuLine('cpu 1 2 3')).toThrow(/aggregate cpu line/);
  });

  it('sees this process keep a core busy', () => {
    const meter = new MachineCpuMeter();
    meter.start();
    const until = performance.now() + 300;
    while (performance.now() < until) {
      // spin: one core fully busy
    }
    const busy = meter.read();
    // One core of however many: most of its share, allowing for the scheduler and the other cores' idle.
    expect(busy).toBeGreaterThan(0.6 / cpus().length);
    expect(busy).toBeLessThanOrEqual(1);
  });
});
