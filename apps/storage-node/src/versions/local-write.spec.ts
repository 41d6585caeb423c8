import { fullClock, mergeContexts } from '@geokv/vector-clock';
import { applyLocalWrite } from './local-write';
import { at, coordinator, localWrite, tombstone, valuesOf, writeAll } from './versions.fixtures';

describe('applyLocalWrite', () => {
  it('replaces what a blind write can see', () => {
    expect(valuesOf(writeAll([localWrite('a'), localWrite('b')], 'siblings'))).toEqual(['b']);
  });

  it('keeps writes made from the same context as siblings, even through one coordinator', () => {
    const [base] = writeAll([localWrite('base')], 'siblings');
    const context = fullClock(base);
    const versions = writeAll([localWrite('x', context), localWrite('y', context), localWrite('z', context)], 'siblings', [base]);
    expect(valuesOf(versions)).toEqual(['x', 'y', 'z']);
  });

  it('resolves the same race by last-writer-wins and reports every loser', () => {
    const [base] = writeAll([localWrite('base')], 'lww');
    const context = fullClock(base);
    let versions = [base];
    const losers: string[] = [];
    ['x', 'y', 'z'].forEach((value, i) => {
      const outcome = applyLocalWrite(versions, localWrite(value, context), coordinator('us-east/n1', 'lww'), at(2_000 + i));
      versions = [...outcome.versions];
      losers.push(...outcome.losers.map((loser) => loser.value!.toString()));
    });
    expect(valuesOf(versions)).toEqual(['z']);
    expect(losers.sort()).toEqual(['x', 'y']);
  });

  it('gives the LWW winner a context covering its losers, so a late copy of a loser cannot win', () => {
    const [base] = writeAll([localWrite('base')], 'lww');
    const context = fullClock(base);
    const first = applyLocalWrite([base], localWrite('x', context), coordinator('us-east/n1', 'lww'), at(2_000));
    const second = applyLocalWrite(first.versions, localWrite('y', context), coordinator('us-east/n1', 'lww'), at(2_001));
    const [winner] = second.versions;
    expect(winner.value!.toString()).toBe('y');
    const [loser] = second.losers;
    expect(winner.context[loser.dot.actor]).toBeGreaterThanOrEqual(loser.dot.counter);
  });

  it('lets a write with the merged context of siblings replace them all', () => {
    const [base] = writeAll([localWrite('base')], 'siblings');
    const siblings = writeAll([localWrite('x', fullClock(base)), localWrite('y', fullClock(base))], 'siblings', [base]);
    expect(siblings).toHaveLength(2);
    const resolved = writeAll([localWrite('merged', mergeContexts(siblings))], 'siblings', siblings);
    expect(valuesOf(resolved)).toEqual(['merged']);
  });

  it('writes a delete as a tombstone that supersedes the value it saw', () => {
    const versions = writeAll([localWrite('a'), tombstone()], 'lww');
    expect(valuesOf(versions)).toEqual(['<tombstone>']);
  });

  it('never reuses a dot, whatever context the client sends', () => {
    const [base] = writeAll([localWrite('base')], 'siblings');
    const stale = writeAll([localWrite('x', {}), localWrite('y', {})], 'siblings', [base]);
    const dots = stale.map((version) => `${version.dot.actor}:${version.dot.counter}`);
    expect(new Set(dots).size).toBe(dots.length);
    expect(valuesOf(stale)).toEqual(['base', 'x', 'y']);
  });
});
