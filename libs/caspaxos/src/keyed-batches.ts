/**
 * Runs the operations a process has on each key one batch at a time: while a batch of a key is running, the
 * operations that arrive for the key wait, and when it ends they run together as the next batch (up to
 * `maxBatch`; the rest wait for the one after).
 *
 * Why: two operations of one proposer on one key would otherwise each prepare a ballot and outbid each
 * other until one gave up, and a key with many concurrent clients in one region would spend its rounds
 * duelling with itself. A batch takes one round for all its operations (see combineChanges), so a busy key
 * costs a round per batch, not per operation. Different keys never wait for each other.
 *
 * `execute` answers one result per member, in order; if it rejects, every member of the batch rejects.
 * `shed` may answer a waiting member instead of running it (its caller has stopped waiting for it, say):
 * it is asked as each batch is formed, and a member it answers takes no place in the batch.
 */
export class KeyedBatches<M, A> {
  /** A key is here while one of its batches runs; the list holds the members waiting for the next. */
  private readonly waiting = new Map<string, Waiting<M, A>[]>();

  constructor(
    private readonly execute: (key: string, members: readonly M[]) => Promise<readonly A[]>,
    private readonly maxBatch: number,
    private readonly shed: (member: M) => A | null = () => null,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`maxBatch must be a positive integer, got ${maxBatch}`);
  }

  submit(key: string, member: M): Promise<A> {
    return new Promise<A>((resolve, reject) => {
      const entry = { member, resolve, reject };
      const queue = this.waiting.get(key);
      if (queue !== undefined) {
        queue.push(entry);
        return;
      }
      this.waiting.set(key, []);
      void this.runFrom(key, [entry]);
    });
  }

  /** Keys with a batch running now. */
  get busyKeys(): number {
    return this.waiting.size;
  }

  private async runFrom(key: string, first: Waiting<M, A>[]): Promise<void> {
    for (let batch = first; batch.length > 0; batch = this.nextBatch(key)) {
      try {
        const answers = await this.execute(key, batch.map((entry) => entry.member));
        if (answers.length !== batch.length) throw new Error(`a batch of ${batch.length} got ${answers.length} answers`);
        batch.forEach((entry, index) => entry.resolve(answers[index]));
      } catch (error) {
        for (const entry of batch) entry.reject(error);
      }
    }
  }

  /** Takes the next batch of `key` off its queue, answering the members shed; none left means the key is idle and forgotten. */
  private nextBatch(key: string): Waiting<M, A>[] {
    const queue = this.waiting.get(key)!;
    const batch: Waiting<M, A>[] = [];
    let taken = 0;
    for (; taken < queue.length && batch.length < this.maxBatch; taken++) {
      const entry = queue[taken];
      const answer = this.shed(entry.member);
      if (answer === null) batch.push(entry);
      else entry.resolve(answer);
    }
    queue.splice(0, taken);
    if (batch.length === 0) this.waiting.delete(key);
    return batch;
  }
}

interface Waiting<M, A> {
  readonly member: M;
  readonly resolve: (answer: A) => void;
  readonly reject: (error: unknown) => void;
}
