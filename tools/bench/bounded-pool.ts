/**
 * Runs task(0) .. task(count - 1) with at most `concurrency` in flight: each worker takes the next index as
 * soon as its previous task settles, so one slow request does not hold back the others (a fixed batch would).
 * Stops handing out indices once `deadline` (a performance.now() time) has passed and then throws, naming
 * `what`, so a stalled cluster ends the part with a reason instead of the watchdog; a task's own failure is
 * the task's to count.
 */
export async function runBounded(
  what: string,
  count: number,
  concurrency: number,
  deadline: number,
  task: (index: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  let late = false;
  const worker = async (): Promise<void> => {
    while (next < count) {
      if (performance.now() > deadline) {
        late = true;
        return;
      }
      await task(next++);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  if (late) throw new Error(`${what}: ran out of time after starting ${next} of ${count}`);
}
