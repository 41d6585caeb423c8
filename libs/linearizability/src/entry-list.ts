/**
 * The WGL event list: a doubly linked list of the call and return events of a key's operations, in time
 * order. Operations still to be linearized are in the list; linearizing one lifts its two events out in
 * O(1), and backtracking puts them back in O(1) (dancing links), so the search never copies the list.
 *
 * Entries are integers: 0 is the head sentinel (the list is circular through it), operation i's call is
 * 2i + 1 and its return 2i + 2. Plain typed arrays keep the hot loop free of allocation.
 */
export class EntryList {
  /** The head sentinel; `next(HEAD)` is the first entry and an entry whose next is HEAD is the last. */
  static readonly HEAD = 0;

  private readonly nextOf: Int32Array;
  private readonly prevOf: Int32Array;

  /**
   * Builds the list for operations with the given call and return times (Infinity for "never returned").
   * Guarantees: entries are sorted by time; at equal times calls come before returns, so an operation
   * called at the instant another returns counts as concurrent with it (the lenient reading: equal clock
   * readings cannot order them); otherwise ties keep operation order. Callers that number
   * operations by call time (ties by any fixed order) therefore meet calls in operation-index order.
   * @throws RangeError when some return precedes its call.
   */
  constructor(calls: ArrayLike<number>, returns: ArrayLike<number>) {
    const n = calls.length;
    if (returns.length !== n) throw new RangeError('calls and returns differ in length');
    const time = (entry: number): number => (entry & 1 ? calls[(entry - 1) >> 1] : returns[(entry - 2) >> 1]);
    const order = new Int32Array(2 * n);
    for (let i = 0; i < 2 * n; i++) {
      order[i] = i + 1;
      if (i % 2 === 0 && !(returns[i / 2] >= calls[i / 2])) throw new RangeError(`operation ${i / 2} returns before its call`);
    }
    // Calls (odd) before returns (even) on ties; then by operation index, which is (entry - 1) >> 1.
    order.sort((a, b) => time(a) - time(b) || (b & 1) - (a & 1) || a - b);
    this.nextOf = new Int32Array(2 * n + 1);
    this.prevOf = new Int32Array(2 * n + 1);
    let prev = EntryList.HEAD;
    for (const entry of order) {
      this.nextOf[prev] = entry;
      this.prevOf[entry] = prev;
      prev = entry;
    }
    this.nextOf[prev] = EntryList.HEAD;
    this.prevOf[EntryList.HEAD] = prev;
  }

  /** The first entry still in the list, or HEAD when it is empty. */
  first(): number {
    return this.nextOf[EntryList.HEAD];
  }

  /** The entry after `entry`, or HEAD after the last one. */
  next(entry: number): number {
    return this.nextOf[entry];
  }

  isEmpty(): boolean {
    return this.nextOf[EntryList.HEAD] === EntryList.HEAD;
  }

  /** True for a call event, false for a return event. */
  static isCall(entry: number): boolean {
    return (entry & 1) === 1;
  }

  /** The operation an entry belongs to. */
  static opOf(entry: number): number {
    return (entry - 1) >> 1;
  }

  /** Operation `op`'s call entry. */
  static callOf(op: number): number {
    return 2 * op + 1;
  }

  /** Removes operation `op`'s call and return. Guarantees: unlift(op) right after restores the list. */
  lift(op: number): void {
    this.unlink(2 * op + 1);
    this.unlink(2 * op + 2);
  }

  /**
   * Puts back operation `op`'s entries where they were. Correct only in LIFO order with lift (the
   * search's stack guarantees it): an entry's stale neighbours are valid again once every later lift has
   * been undone.
   */
  unlift(op: number): void {
    this.relink(2 * op + 2);
    this.relink(2 * op + 1);
  }

  private unlink(entry: number): void {
    const next = this.nextOf[entry];
    const prev = this.prevOf[entry];
    this.nextOf[prev] = next;
    this.prevOf[next] = prev;
  }

  private relink(entry: number): void {
    this.nextOf[this.prevOf[entry]] = entry;
    this.prevOf[this.nextOf[entry]] = entry;
  }
}
