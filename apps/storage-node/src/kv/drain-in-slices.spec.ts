import { drainInSlices } from './drain-in-slices';

describe('drainInSlices', () => {
  /** A backlog of `rows` deleted `sliceSize` at a time, on a clock that advances `msPerSlice` per slice. */
  function backlog(rows: number, sliceSize: number, msPerSlice = 0) {
    let left = rows;
    let clock = 0;
    let slices = 0;
    return {
      slice: async (): Promise<number> => {
        slices += 1;
        clock += msPerSlice;
        const deleted = Math.min(left, sliceSize);
        left -= deleted;
        return deleted;
      },
      now: () => clock,
      get left() {
        return left;
      },
      get slices() {
        return slices;
      },
    };
  }

  it('runs slices until one comes back short, and reports every row', async () => {
    const work = backlog(12_345, 1_000);
    expect(await drainInSlices(work.slice, 1_000, 1_000, work.now)).toBe(12_345);
    expect(work.left).toBe(0);
    expect(work.slices).toBe(13);
  });

  it('takes one more slice after an exactly full one, to learn that nothing is left', async () => {
    const work = backlog(3_000, 1_000);
    expect(await drainInSlices(work.slice, 1_000, 1_000, work.now)).toBe(3_000);
    expect(work.slices).toBe(4);
  });

  it('stops at the deadline, leaving the rest for the next run, but always runs one slice', async () => {
    const work = backlog(100_000, 1_000, 10);
    expect(await drainInSlices(work.slice, 1_000, 95, work.now)).toBe(10_000);
    expect(work.left).toBe(90_000);

    const late = backlog(5_000, 1_000, 10);
    expect(await drainInSlices(late.slice, 1_000, -1, late.now)).toBe(1_000);
  });
});
