import { fullClock, mergeContexts, type VectorClock } from '@geokv/vector-clock';
import { applyLocalWrite } from './local-write';
import { siblingLimitFailure, type SiblingLimits } from './sibling-limits';
import type { StoredVersion } from './stored-version';
import { at, coordinator, localWrite, writeAll } from './versions.fixtures';

describe('siblingLimitFailure', () => {
  const [base] = writeAll([localWrite('base')], 'siblings');
  /** `count` concurrent writes made from the base's context: `count` siblings. */
  const siblingsOf = (values: readonly string[]): StoredVersion[] =>
    writeAll(values.map((value) => localWrite(value, fullClock(base))), 'siblings', [base]);
  /** The state after one more write from `context` (null: a blind write). */
  const afterWrite = (current: readonly StoredVersion[], value: string, context: VectorClock | null = fullClock(base)): StoredVersion[] => [
    ...applyLocalWrite(current, localWrite(value, context), coordinator('us-east/n1', 'siblings'), at(9_000)).versions,
  ];
  const limits: SiblingLimits = { maxSiblings: 3, maxBytes: 1_000 };

  it('lets siblings grow up to the count limit and refuses the write past it', () => {
    const two = siblingsOf(['a', 'b']);
    const three = afterWrite(two, 'c');
    expect(three).toHaveLength(3);
    expect(siblingLimitFailure(two, three, limits)).toBeNull();

    const four = afterWrite(three, 'd');
    expect(siblingLimitFailure(three, four, limits)).toMatch(/would hold 4 siblings, over the limit of 3: read it and write back/);
  });

  it('always lets a merge or a blind write through, however many siblings the key holds', () => {
    const many = siblingsOf(['a', 'b', 'c', 'd', 'e']);
    const merged = afterWrite(many, 'merged', mergeContexts(many));
    expect(merged).toHaveLength(1);
    expect(siblingLimitFailure(many, merged, limits)).toBeNull();
    expect(siblingLimitFailure(many, afterWrite(many, 'blind', null), limits)).toBeNull();
  });

  it('lets a write through that leaves an over-limit key no larger (other regions grew it)', () => {
    const five = siblingsOf(['a', 'b', 'c', 'd', 'e']);
    // Covers one sibling and adds one: still five, no more bytes.
    const replaced = afterWrite(five, 'f', fullClock(five[0]));
    expect(replaced).toHaveLength(5);
    expect(siblingLimitFailure(five, replaced, limits)).toBeNull();
  });

  it('refuses growth past the byte limit, but never a single version however large', () => {
    const big = 'x'.repeat(400);
    const two = siblingsOf([big, big]);
    const three = afterWrite(two, big);
    expect(siblingLimitFailure(two, three, { maxSiblings: 100, maxBytes: 1_000 })).toMatch(/would hold 1200 bytes, over the limit of 1000/);
    expect(siblingLimitFailure(two, three, { maxSiblings: 100, maxBytes: 1_200 })).toBeNull();

    const huge = writeAll([localWrite('y'.repeat(5_000))], 'siblings');
    expect(siblingLimitFailure([], huge, limits)).toBeNull();
    // A smaller value replacing one sibling of an over-limit key shrinks it: allowed.
    const shrunk = afterWrite(three, 'small', fullClock(three[0]));
    expect(siblingLimitFailure(three, shrunk, { maxSiblings: 100, maxBytes: 1_000 })).toBeNull();
  });
});
