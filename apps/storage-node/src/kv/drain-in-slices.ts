/**
 * Runs `slice` (one short statement that deletes at most `sliceSize` rows and returns how many it deleted)
 * until one comes back short, or `deadlineMs` (epoch ms) has passed; at least once. Returns the rows
 * deleted in all.
 *
 * Reclaiming in slices keeps each transaction and its locks short; running slices until the backlog is
 * gone is what lets the reclaiming keep up with the writes that make it. One slice per timer tick capped
 * it at a fixed rate (1,000 expired versions every 30 s, 33 a second), below what one node writes, so a
 * TTL keyspace grew without bound.
 */
export async function drainInSlices(slice: () => Promise<number>, sliceSize: number, deadlineMs: number, now: () => number = Date.now): Promise<number> {
  let total = 0;
  for (;;) {
    const deleted = await slice();
    total += deleted;
    if (deleted < sliceSize || now() >= deadlineMs) return total;
  }
}
