import type { StoredVersion } from '../versions/stored-version';
import type { KeyRef } from './key-id';

/** Reads the versions of many keys in one statement; every key asked for is in the map, absent ones with []. */
export type LoadMany = (refs: readonly KeyRef[]) => Promise<Map<string, StoredVersion[]>>;

/** Enough for a turn of a busy node; a statement's parameters stay small. */
export const MAX_KEYS_PER_READ = 256;

interface PendingRead {
  readonly ref: KeyRef;
  readonly result: Promise<StoredVersion[]>;
  resolve(versions: StoredVersion[]): void;
  reject(error: unknown): void;
}

/**
 * Point reads of the shard asked for in one turn of the event loop, sent as one statement. A working set
 * larger than the L1 cache made every missed read a statement of its own, each a wake-up of this node and
 * of a PostgreSQL backend, while a message from the gateway carries up to 16 reads and one socket read
 * often brings several messages. The statement leaves at the end of the turn (`setImmediate`, after the
 * poll phase's callbacks and their promise chains), or at once when `maxKeys` are waiting, so a read waits
 * at most for the rest of the turn it was asked in.
 *
 * A key asked for twice in one turn is read once, and both get the rows: the statement is sent after both
 * asked, so neither is handed rows older than its request.
 */
export class CoalescedReads {
  private waiting = new Map<string, PendingRead>();

  constructor(
    private readonly loadMany: LoadMany,
    private readonly maxKeys = MAX_KEYS_PER_READ,
  ) {}

  /** The key's stored versions (tombstones and expired ones included), read with the rest of this turn's keys. */
  read(ref: KeyRef, keyId: string): Promise<StoredVersion[]> {
    const known = this.waiting.get(keyId);
    if (known !== undefined) return known.result;
    let resolve!: (versions: StoredVersion[]) => void;
    let reject!: (error: unknown) => void;
    const result = new Promise<StoredVersion[]>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    this.waiting.set(keyId, { ref, result, resolve, reject });
    if (this.waiting.size === 1) setImmediate(() => this.flush());
    else if (this.waiting.size >= this.maxKeys) this.flush();
    return result;
  }

  private flush(): void {
    const batch = this.waiting;
    if (batch.size === 0) return;
    this.waiting = new Map();
    this.loadMany([...batch.values()].map((pending) => pending.ref)).then(
      (byKey) => {
        for (const [keyId, pending] of batch) pending.resolve(byKey.get(keyId) ?? []);
      },
      (error: unknown) => {
        for (const pending of batch.values()) pending.reject(error);
      },
    );
  }
}
