import { KeyedBatches } from './keyed-batches';

/** An execute whose batches the test finishes by hand, recording what each batch held. */
function controlledExecute() {
  const batches: { key: string; members: readonly number[]; finish: (answers: readonly string[]) => void; fail: (error: Error) => void }[] = [];
  const execute = (key: string, members: readonly number[]) =>
    new Promise<readonly string[]>((resolve, reject) => batches.push({ key, members, finish: resolve, fail: reject }));
  return { batches, execute };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('KeyedBatches', () => {
  it('runs one batch of a key at a time; what arrives meanwhile runs together next, in arrival order', async () => {
    const { batches, execute } = controlledExecute();
    const queue = new KeyedBatches(execute, 10);
    const first = queue.submit('k', 1);
    const waiting = [queue.submit('k', 2), queue.submit('k', 3), queue.submit('k', 4)];
    await settle();
    expect(batches.map((batch) => batch.members)).toEqual([[1]]);
    batches[0].finish(['one']);
    await expect(first).resolves.toBe('one');
    await settle();
    expect(batches.map((batch) => batch.members)).toEqual([[1], [2, 3, 4]]);
    batches[1].finish(['two', 'three', 'four']);
    await expect(Promise.all(waiting)).resolves.toEqual(['two', 'three', 'four']);
    expect(queue.busyKeys).toBe(0);
  });

  it('never makes one key wait for another', async () => {
    const { batches, execute } = controlledExecute();
    const queue = new KeyedBatches(execute, 10);
    void queue.submit('a', 1);
    void queue.submit('b', 2);
    await settle();
    expect(batches.map((batch) => [batch.key, batch.members])).toEqual([
      ['a', [1]],
      ['b', [2]],
    ]);
    expect(queue.busyKeys).toBe(2);
  });

  it('takes at most maxBatch members into a batch; the rest wait for the one after', async () => {
    const { batches, execute } = controlledExecute();
    const queue = new KeyedBatches(execute, 2);
    const answers = [1, 2, 3, 4, 5, 6].map((member) => queue.submit('k', member));
    for (let round = 0; round < 4; round++) {
      await settle();
      const batch = batches[round];
      batch.finish(batch.members.map(String));
    }
    await expect(Promise.all(answers)).resolves.toEqual(['1', '2', '3', '4', '5', '6']);
    expect(batches.map((batch) => batch.members)).toEqual([[1], [2, 3], [4, 5], [6]]);
  });

  it('rejects every member of a batch that fails, and goes on with the next batch', async () => {
    const { batches, execute } = controlledExecute();
    const queue = new KeyedBatches(execute, 10);
    const first = queue.submit('k', 1);
    const second = [queue.submit('k', 2), queue.submit('k', 3)];
    const third = queue.submit('k', 4);
    await settle();
    batches[0].finish(['one']);
    await first;
    await settle();
    batches[1].fail(new Error('lost'));
    await expect(second[0]).rejects.toThrow('lost');
    await expect(second[1]).rejects.toThrow('lost');
    // 4 was waiting with 2 and 3, so it ran in their batch.
    await expect(third).rejects.toThrow('lost');
    const later = queue.submit('k', 5);
    await settle();
    batches[2].finish(['five']);
    await expect(later).resolves.toBe('five');
  });

  it('rejects a batch whose answers do not match its members one for one', async () => {
    const queue = new KeyedBatches(async () => ['only one'], 10);
    const answers = [queue.submit('k', 1), queue.submit('k', 2), queue.submit('k', 3)];
    await expect(answers[0]).resolves.toBe('only one');
    await expect(answers[1]).rejects.toThrow('a batch of 2 got 1 answers');
    await expect(answers[2]).rejects.toThrow('a batch of 2 got 1 answers');
  });

  it('answers the members that shed picks instead of running them, and fills the batch with the others', async () => {
    const { batches, execute } = controlledExecute();
    const queue = new KeyedBatches(execute, 2, (member: number) => (member % 2 === 0 ? 'shed' : null));
    const answers = [1, 2, 3, 4, 5, 7].map((member) => queue.submit('k', member));
    await settle();
    batches[0].finish(['1']);
    // 2 and 4 are answered at once; 3 and 5 make the batch; 7 waits for the next.
    await expect(answers[1]).resolves.toBe('shed');
    await expect(answers[3]).resolves.toBe('shed');
    await settle();
    expect(batches.map((batch) => batch.members)).toEqual([[1], [3, 5]]);
    batches[1].finish(['3', '5']);
    await settle();
    expect(batches[2].members).toEqual([7]);
    batches[2].finish(['7']);
    await expect(Promise.all(answers)).resolves.toEqual(['1', 'shed', '3', 'shed', '5', '7']);
    expect(queue.busyKeys).toBe(0);
  });

  it('forgets a key whose waiting members were all shed', async () => {
    const { batches, execute } = controlledExecute();
    const queue = new KeyedBatches(execute, 10, (member: number) => (member > 1 ? 'late' : null));
    const first = queue.submit('k', 1);
    const late = queue.submit('k', 2);
    await settle();
    batches[0].finish(['one']);
    await expect(first).resolves.toBe('one');
    await expect(late).resolves.toBe('late');
    expect(batches).toHaveLength(1);
    expect(queue.busyKeys).toBe(0);
  });

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => new KeyedBatches(async () => [], 0)).toThrow(RangeError);
  });
});
