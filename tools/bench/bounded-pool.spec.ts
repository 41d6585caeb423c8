import { setTimeout as sleep } from 'node:timers/promises';
import { runBounded } from './bounded-pool';

describe('runBounded', () => {
  it('runs every index once, never more than `concurrency` at a time', async () => {
    const seen: number[] = [];
    let inFlight = 0;
    let peak = 0;
    await runBounded('sleeps', 50, 4, performance.now() + 10_000, async (index) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await sleep(index % 3);
      seen.push(index);
      inFlight--;
    });
    expect(seen.sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(peak).toBe(4);
  });

  it('does nothing for no tasks', async () => {
    await expect(runBounded('nothing', 0, 8, performance.now() + 1_000, () => Promise.reject(new Error('called')))).resolves.toBeUndefined();
  });

  it('stops handing out tasks after the deadline and says how far it got', async () => {
    let started = 0;
    const deadline = performance.now() + 100;
    await expect(
      runBounded('slow sleeps', 1_000, 2, deadline, async () => {
        started++;
        await sleep(10);
      }),
    ).rejects.toThrow(/^slow sleeps: ran out of time after starting \d+ of 1000$/);
    expect(started).toBeGreaterThan(0);
    expect(started).toBeLessThan(1_000);
  });
});
