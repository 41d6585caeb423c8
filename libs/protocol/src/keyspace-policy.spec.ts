import fc from 'fast-check';
import { DEFAULT_KEYSPACE, supersedes, type KeyspaceDefinition } from './keyspace-policy';

const definition = fc.record({
  policy: fc.constant({ ...DEFAULT_KEYSPACE, name: 'k' }),
  changedAtMs: fc.integer({ min: 0, max: 50 }),
  originRegion: fc.constantFrom('ap-south', 'eu-west', 'us-east'),
  deleted: fc.boolean(),
});

/** The definition every region ends with, whatever order the definitions arrive in. */
const settle = (arrivals: readonly KeyspaceDefinition[]): KeyspaceDefinition =>
  arrivals.reduce((held, next) => (supersedes(next, held) ? next : held));

describe('supersedes', () => {
  it('lets a deletion beat a later live definition, and otherwise the later definition win', () => {
    const at = (changedAtMs: number, originRegion: string, deleted: boolean): KeyspaceDefinition => ({ policy: DEFAULT_KEYSPACE, changedAtMs, originRegion, deleted });
    expect(supersedes(at(1, 'eu-west', true), at(9, 'ap-south', false))).toBe(true);
    expect(supersedes(at(9, 'ap-south', false), at(1, 'eu-west', true))).toBe(false);
    expect(supersedes(at(2, 'ap-south', false), at(1, 'us-east', false))).toBe(true);
    expect(supersedes(at(1, 'us-east', false), at(1, 'ap-south', false))).toBe(true);
    expect(supersedes(at(1, 'us-east', false), at(1, 'us-east', false))).toBe(false);
  });

  it('settles every region on the same definition whatever the order of arrival, a deleted one if any was', () => {
    fc.assert(
      fc.property(fc.array(definition, { minLength: 1, maxLength: 8 }), fc.func(fc.integer()), (arrivals, shuffleKey) => {
        const shuffled = [...arrivals].sort((a, b) => shuffleKey(a) - shuffleKey(b));
        expect(settle(shuffled)).toEqual(settle(arrivals));
        expect(settle(arrivals).deleted).toBe(arrivals.some((candidate) => candidate.deleted));
      }),
    );
  });
});
