import { ErrorCode, type NodeView } from '@geokv/protocol';
import { handoffComplete, readyToStream, RebalanceRefused, roleOfNewNode, targetMembers, type Rebalance } from './rebalance-plan';

const node = (id: string, status: NodeView['status'] = 'up'): NodeView => ({ id, status, role: 'member', httpUrl: '', joinedAtMs: 0, lastHeartbeatMs: 0 });
const members = ['n1', 'n2', 'n3'];

function refusal(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    if (error instanceof RebalanceRefused) return error.code;
  }
  return 'accepted';
}

describe('targetMembers', () => {
  it('adds a joining node and removes a drained or leaving one', () => {
    expect(targetMembers('join', node('n4'), members, 'n4')).toEqual(['n1', 'n2', 'n3', 'n4']);
    expect(targetMembers('drain', node('n2'), members, 'n2')).toEqual(['n1', 'n3']);
    expect(targetMembers('leave', node('n2', 'down'), members, 'n2')).toEqual(['n1', 'n3']);
  });

  it('refuses changes that make no sense, with a code that says why', () => {
    expect(refusal(() => targetMembers('join', undefined, members, 'n9'))).toBe(ErrorCode.NodeNotFound);
    expect(refusal(() => targetMembers('join', node('n1'), members, 'n1'))).toBe(ErrorCode.InvalidNodeState);
    expect(refusal(() => targetMembers('join', node('n4', 'down'), members, 'n4'))).toBe(ErrorCode.InvalidNodeState);
    expect(refusal(() => targetMembers('drain', node('n4'), members, 'n4'))).toBe(ErrorCode.InvalidNodeState);
    expect(refusal(() => targetMembers('drain', node('n2', 'down'), members, 'n2'))).toBe(ErrorCode.InvalidNodeState);
    expect(refusal(() => targetMembers('leave', node('n1'), ['n1'], 'n1'))).toBe(ErrorCode.InvalidNodeState);
  });
});

describe('rebalance phases', () => {
  const rebalance: Rebalance = { id: 10, kind: 'join', node: 'n4', target: ['n1', 'n2', 'n3', 'n4'], phase: 'propagating', startedAtMs: 1_000 };

  it('streams only once every up node has adopted the ring and the settle time has passed', () => {
    const nodes = [node('n1'), node('n2'), node('n3', 'down'), node('n4')];
    const epochs: Record<string, number> = { n1: 10, n2: 11, n3: 3, n4: 10 };
    expect(readyToStream(rebalance, nodes, (id) => epochs[id], 2_500, 1_000)).toBe(true);
    expect(readyToStream(rebalance, nodes, (id) => epochs[id], 1_500, 1_000)).toBe(false);
    expect(readyToStream(rebalance, nodes, (id) => (id === 'n2' ? 9 : epochs[id]), 2_500, 1_000)).toBe(false);
  });

  it('completes when every node of either ring is done; a down leaving node does not hold it back', () => {
    const up = () => 'up' as const;
    expect(handoffComplete(rebalance, members, up, new Set(['n1', 'n2', 'n3']))).toBe(false);
    expect(handoffComplete(rebalance, members, up, new Set(['n1', 'n2', 'n3', 'n4']))).toBe(true);
    const leave: Rebalance = { ...rebalance, kind: 'leave', node: 'n3', target: ['n1', 'n2'] };
    expect(handoffComplete(leave, members, (id) => (id === 'n3' ? 'down' : 'up'), new Set(['n1', 'n2']))).toBe(true);
    expect(handoffComplete(leave, members, up, new Set(['n1', 'n2']))).toBe(false);
  });

  it('waits for a down leaving node when it may hold acceptor state no other node has', () => {
    const leave: Rebalance = { ...rebalance, kind: 'leave', node: 'n3', target: ['n1', 'n2'], phase: 'acceptors' };
    const n3Down = (id: string) => (id === 'n3' ? 'down' : 'up') as NodeView['status'];
    expect(handoffComplete(leave, members, n3Down, new Set(['n1', 'n2']), false)).toBe(false);
    expect(handoffComplete(leave, members, n3Down, new Set(['n1', 'n2', 'n3']), false)).toBe(true);
  });
});

describe('roleOfNewNode', () => {
  const seeds = ['n1', 'n2', 'n3'];

  it('lets the seeds of a new region, and the first node of an empty ring, join at once', () => {
    expect(roleOfNewNode('n1', seeds, [], false)).toBe('member');
    expect(roleOfNewNode('x9', seeds, [], true)).toBe('member');
    expect(roleOfNewNode('n3', seeds, ['n1', 'n2'], false)).toBe('member');
  });

  it('makes every other node, and a seed once the region has rebalanced (it may be one a leave removed), a standby', () => {
    expect(roleOfNewNode('n4', seeds, ['n1', 'n2', 'n3'], false)).toBe('standby');
    expect(roleOfNewNode('n2', seeds, ['n1', 'n3'], true)).toBe('standby');
  });
});
