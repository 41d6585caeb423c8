import { describeWakeupCost } from './wakeup-cost';

describe('wakeup cost', () => {
  it('lists the CPU per request at each pace, slowest pace first', () => {
    const costs = [
      { ratePerSecond: 100, ok: 400, cpuMicrosPerRequest: 320.4 },
      { ratePerSecond: 5_000, ok: 20_000, cpuMicrosPerRequest: 19.6 },
    ];
    expect(describeWakeupCost(costs)).toBe(
      "bare Fastify GET / at a steady pace (this machine's cost of waking a process), CPU per request: 320 µs at 100/s, 20 µs at 5000/s",
    );
  });
});
