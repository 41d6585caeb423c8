import { LRUCache } from 'lru-cache';
import type { BallotHold, HeldBallot } from '@geokv/caspaxos';
import { compareBallots } from '@geokv/caspaxos';
import type { StrongValue } from '@geokv/protocol';
import { strongKeyId } from './strong-key-id';

/** What an entry costs beyond its value's bytes: the key, the ballot, the value's metadata and recent ops. */
const ENTRY_OVERHEAD_BYTES = 1_024;

/**
 * After a held ballot of a key was refused (another proposer used the key), how long this gateway holds no
 * ballot for it. A key written from several places would otherwise pay a refused accept, one wasted round
 * trip, before most of its operations.
 */
export const CONTENDED_COOLDOWN_MS = 10_000;

/** A held ballot taken by an operation (`used`), or refused when that operation sent it (`refused`). */
export type HeldBallotEvent = 'used' | 'refused';

/**
 * The ballots this gateway holds for strong keys (libs/caspaxos HeldBallot), least recently used first out
 * past `maxBytes` of values. A held ballot lets the next operation on its key skip the prepare: one round
 * trip to a majority of regions instead of two. Holding one is never unsafe, only sometimes a wasted round
 * trip (when someone else used the key since), so forgetting them (a restart, the bytes bound) costs a
 * prepare and nothing more.
 */
export class HeldBallots {
  private readonly held: LRUCache<string, HeldBallot<StrongValue>> | null;
  private readonly contended: LRUCache<string, true> | null;

  constructor(maxBytes: number, nowMs: () => number = Date.now) {
    if (maxBytes === 0) {
      this.held = null;
      this.contended = null;
      return;
    }
    this.held = new LRUCache({ maxSize: maxBytes, sizeCalculation: (held) => ENTRY_OVERHEAD_BYTES + (held.value?.value.length ?? 0) });
    this.contended = new LRUCache({ max: Math.max(1, Math.floor(maxBytes / ENTRY_OVERHEAD_BYTES)), ttl: CONTENDED_COOLDOWN_MS, ttlResolution: 0, perf: { now: nowMs } });
  }

  /** The hold of one key, for one operation; null when holding is off. `observe` hears of each held ballot used and refused. */
  holdFor(keyspace: string, key: string, observe: (event: HeldBallotEvent) => void): BallotHold<StrongValue> | null {
    const { held, contended } = this;
    if (held === null || contended === null) return null;
    const id = strongKeyId(keyspace, key);
    return {
      take: () => {
        const entry = held.get(id) ?? null;
        if (entry === null) return null;
        held.delete(id);
        observe('used');
        return entry;
      },
      keep: (next) => {
        if (contended.has(id)) return;
        // Two operations of this gateway on the key may finish in either order; the higher ballot is the one that can still win.
        const current = held.get(id);
        if (current === undefined || compareBallots(next.ballot, current.ballot) > 0) held.set(id, next);
      },
      refused: () => {
        observe('refused');
        contended.set(id, true);
      },
    };
  }

  /** How many keys hold a ballot now. */
  get size(): number {
    return this.held?.size ?? 0;
  }
}
