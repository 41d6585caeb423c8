import { EntryList } from './entry-list';

/** The list as [op, 'call' | 'return'] pairs, in order. */
function contents(list: EntryList): string[] {
  const out: string[] = [];
  for (let e = list.first(); e !== EntryList.HEAD; e = list.next(e)) out.push(`${EntryList.opOf(e)}${EntryList.isCall(e) ? 'c' : 'r'}`);
  return out;
}

describe('EntryList', () => {
  it('orders events by time, calls before returns at equal times, then by operation', () => {
    const list = new EntryList([0, 5, 5, 1], [5, 6, 5, Infinity]);
    expect(contents(list)).toEqual(['0c', '3c', '1c', '2c', '0r', '2r', '1r', '3r']);
  });

  it('lifts an operation out and unlifts operations back in LIFO order', () => {
    const list = new EntryList([0, 1, 2, 3], [4, 5, 6, 7]);
    const original = contents(list);
    list.lift(1);
    expect(contents(list)).toEqual(['0c', '2c', '3c', '0r', '2r', '3r']);
    list.lift(0);
    list.lift(3);
    expect(contents(list)).toEqual(['2c', '2r']);
    list.lift(2);
    expect(list.isEmpty()).toBe(true);
    list.unlift(2);
    list.unlift(3);
    list.unlift(0);
    list.unlift(1);
    expect(contents(list)).toEqual(original);
  });

  it('maps between entries and operations', () => {
    expect(EntryList.opOf(EntryList.callOf(7))).toBe(7);
    expect(EntryList.isCall(EntryList.callOf(7))).toBe(true);
    expect(EntryList.isCall(EntryList.callOf(7) + 1)).toBe(false);
  });

  it('rejects a return before its call', () => {
    expect(() => new EntryList([2], [1])).toThrow(RangeError);
  });
});
