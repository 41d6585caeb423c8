import fc from 'fast-check';
import type { Dot } from './dot';
import { clockCoversDot, dotEquals, dotToString } from './dot';
import { compareVersions, fullClock, mergeContexts, nextDot, supersedes, type Causality } from './dotted-version';
import { EMPTY_CLOCK, type VectorClock } from './vector-clock';

const version = (actor: string, counter: number, context: VectorClock = {}): Causality => ({
  dot: { actor, counter },
  context,
});

/**
 * The store side of a write, as a coordinator would apply it: the new version replaces exactly the
 * versions its writer had seen, and is kept alongside the rest as siblings.
 */
function applyWrite(stored: readonly Causality[], written: Causality): Causality[] {
  return [...stored.filter((old) => !supersedes(written, old)), written];
}

function write(stored: readonly Causality[], coordinator: string, context: VectorClock): Causality[] {
  return applyWrite(stored, { dot: nextDot(coordinator, context, stored), context });
}

describe('dotted version vectors', () => {
  it('keeps two writes with the same context through the same coordinator as siblings', () => {
    // Both clients read the first version, then write through coordinator A.
    const first = write([], 'A', EMPTY_CLOCK);
    const readContext = mergeContexts(first);
    const afterClient1 = write(first, 'A', readContext);
    const afterClient2 = write(afterClient1, 'A', readContext);

    expect(afterClient2.map((v) => dotToString(v.dot))).toEqual(['A:2', 'A:3']);
    expect(compareVersions(afterClient2[0], afterClient2[1])).toBe('concurrent');
    // A reader who saw both siblings resolves them with one write.
    const resolved = write(afterClient2, 'A', mergeContexts(afterClient2));
    expect(resolved).toEqual([version('A', 4, { A: 3 })]);
  });

  it('lets a write that saw the previous version replace it', () => {
    const [first] = write([], 'A', EMPTY_CLOCK);
    const second = version('B', 1, fullClock(first));
    expect(supersedes(second, first)).toBe(true);
    expect(compareVersions(second, first)).toBe('after');
    expect(compareVersions(first, second)).toBe('before');
    expect(compareVersions(first, first)).toBe('equal');
  });

  it('does not treat a later dot of the same actor as superseding', () => {
    expect(supersedes(version('A', 2), version('A', 1))).toBe(false);
  });

  it('answers concurrent when two versions each claim to have seen the other (corrupt input keeps both)', () => {
    const a = version('A', 1, { B: 1 });
    const b = version('B', 1, { A: 1 });
    expect(compareVersions(a, b)).toBe('concurrent');
    expect(compareVersions(b, a)).toBe('concurrent');
  });

  it('computes the full clock and the merged read context', () => {
    expect(fullClock(version('A', 3, { A: 1, B: 2 }))).toEqual({ A: 3, B: 2 });
    expect(mergeContexts([version('A', 3, { B: 2 }), version('B', 1, { A: 1 })])).toEqual({ A: 3, B: 2 });
    expect(mergeContexts([])).toEqual({});
  });

  it('issues a dot above everything the actor issued, even when the superseded version is gone', () => {
    // (A,5) was overwritten by (B,1); only B's context still remembers it.
    const stored = [version('B', 1, { A: 5 })];
    expect(nextDot('A', EMPTY_CLOCK, stored)).toEqual({ actor: 'A', counter: 6 });
    expect(nextDot('A', { A: 9 }, stored)).toEqual({ actor: 'A', counter: 10 });
    expect(nextDot('C', EMPTY_CLOCK, [])).toEqual({ actor: 'C', counter: 1 });
  });

  describe('properties', () => {
    const actor = fc.constantFrom('A', 'B', 'C');
    const context = fc.dictionary(actor, fc.integer({ min: 1, max: 4 }), { maxKeys: 3 });
    const dot: fc.Arbitrary<Dot> = fc.record({ actor, counter: fc.integer({ min: 1, max: 4 }) });
    const causality: fc.Arbitrary<Causality> = fc.record({ dot, context });

    it('compareVersions is antisymmetric and agrees with supersedes', () => {
      const mirror = { before: 'after', after: 'before', equal: 'equal', concurrent: 'concurrent' } as const;
      fc.assert(
        fc.property(causality, causality, (a, b) => {
          const order = compareVersions(a, b);
          expect(compareVersions(b, a)).toBe(mirror[order]);
          if (order === 'after') expect(supersedes(a, b)).toBe(true);
          if (order === 'equal') expect(dotEquals(a.dot, b.dot)).toBe(true);
        }),
      );
    });

    it('nextDot never collides with an existing dot and is covered by no existing context', () => {
      fc.assert(
        fc.property(actor, context, fc.array(causality, { maxLength: 5 }), (who, ctx, existing) => {
          const next = nextDot(who, ctx, existing);
          expect(next.actor).toBe(who);
          expect(clockCoversDot(ctx, next)).toBe(false);
          for (const v of existing) {
            expect(dotEquals(next, v.dot)).toBe(false);
            expect(clockCoversDot(v.context, next)).toBe(false);
          }
        }),
      );
    });

    /**
     * Random histories of one key: clients read at random times (so their contexts go stale) and write
     * through random coordinators. Whatever the interleaving, no write is lost without its writer's
     * successor having seen it, dots stay unique, and the stored siblings are pairwise concurrent.
     */
    it('loses no update and keeps only concurrent siblings in any read/write interleaving', () => {
      const step = fc.oneof(
        fc.record({ kind: fc.constant('read' as const), client: fc.nat(2) }),
        fc.record({ kind: fc.constant('write' as const), client: fc.nat(2), coordinator: actor }),
      );
      fc.assert(
        fc.property(fc.array(step, { maxLength: 30 }), (steps) => {
          let stored: Causality[] = [];
          const contexts: VectorClock[] = [EMPTY_CLOCK, EMPTY_CLOCK, EMPTY_CLOCK];
          const issued: Causality[] = [];
          for (const s of steps) {
            if (s.kind === 'read') {
              contexts[s.client] = mergeContexts(stored);
              continue;
            }
            const context = contexts[s.client];
            const written: Causality = { dot: nextDot(s.coordinator, context, stored), context };
            issued.push(written);
            stored = applyWrite(stored, written);
          }
          expect(new Set(issued.map((v) => dotToString(v.dot))).size).toBe(issued.length);
          const visible = mergeContexts(stored);
          for (const v of issued) expect(clockCoversDot(visible, v.dot)).toBe(true);
          for (const a of stored) for (const b of stored) if (a !== b) expect(compareVersions(a, b)).toBe('concurrent');
        }),
        { numRuns: 200 },
      );
    });
  });
});
