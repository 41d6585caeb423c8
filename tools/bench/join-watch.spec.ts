import { JoinWatch, type RingSummary } from './join-watch';

const MEMBERS = ['n1', 'n2', 'n3'];

function running(keysMoved: number, node = 'n4', kind = 'join'): RingSummary {
  return {
    members: MEMBERS,
    nodes: [],
    rebalance: { kind, node, phase: 'streaming', partitionsMoving: 384, partitionsPending: 10, keysMoved, bytesMoved: keysMoved * 120 },
  };
}

describe('JoinWatch', () => {
  it('keeps the figures last seen while the join ran, and is done once the node is a member', () => {
    const watch = new JoinWatch('n4');
    expect(watch.progress).toEqual({ partitionsMoving: 0, keysMoved: 0, bytesMoved: 0, lastSeenMs: null });
    expect(watch.observe(running(0), 5)).toBe(false);
    expect(watch.observe(running(1_000), 205)).toBe(false);
    expect(watch.observe({ members: [...MEMBERS, 'n4'], nodes: [], rebalance: null }, 410)).toBe(true);
    expect(watch.progress).toEqual({ partitionsMoving: 384, keysMoved: 1_000, bytesMoved: 120_000, lastSeenMs: 205 });
  });

  it('fails fast when the rebalance ends without the node, or another one runs', () => {
    expect(() => new JoinWatch('n4').observe({ members: MEMBERS, nodes: [], rebalance: null }, 0)).toThrow('ended without n4 in the ring (members: n1, n2, n3)');
    expect(() => new JoinWatch('n4').observe(running(0, 'n2', 'drain'), 0)).toThrow('the ring runs a drain of n2');
  });
});
