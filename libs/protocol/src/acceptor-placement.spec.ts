import fc from 'fast-check';
import type { NodeView, RebalancePhase, RingView } from './membership-messages';
import { acceptorHolders, acceptorKeysAsks, acceptorNodeOf, answersAsAcceptor, targetAcceptorNodeOf } from './acceptor-placement';
import { regionRingOf } from './region-ring-of';

const NODES = ['n1', 'n2', 'n3', 'n4'];
const nodeView = (id: string): NodeView => ({ id, status: 'up', role: 'member', httpUrl: '', joinedAtMs: 0, lastHeartbeatMs: 0 });

/** The views a node sees through a join of n4 (epochs in order), ending with the target ring as the ring. */
function joinViews(): RingView[] {
  const base = { region: 'us-east', vnodesPerNode: 16, nodes: NODES.map(nodeView), lastRebalanceId: null };
  const rebalance = (phase: RebalancePhase) => ({
    id: 2,
    kind: 'join' as const,
    node: 'n4',
    target: NODES,
    phase,
    startedAtMs: 0,
    partitionsMoving: 0,
    partitionsPending: 0,
    keysMoved: 0,
    bytesMoved: 0,
    acceptorsMoved: 0,
    nodesDone: [],
  });
  return [
    { ...base, epoch: 1, members: ['n1', 'n2', 'n3'], rebalance: null },
    { ...base, epoch: 2, members: ['n1', 'n2', 'n3'], rebalance: rebalance('propagating') },
    { ...base, epoch: 3, members: ['n1', 'n2', 'n3'], rebalance: rebalance('streaming') },
    { ...base, epoch: 4, members: ['n1', 'n2', 'n3'], rebalance: rebalance('acceptors') },
    { ...base, epoch: 5, members: NODES, rebalance: null, lastRebalanceId: 2 },
  ];
}

const answering = (view: RingView, key: string): string[] =>
  NODES.filter((node) => answersAsAcceptor(view, regionRingOf(view), node, 'ledger', key));

describe('answersAsAcceptor', () => {
  const views = joinViews();

  it('has the old acceptor answer until the acceptors phase, nobody during it, and the new one once the ring is the target', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 24 }), (key) => {
        const before = acceptorNodeOf(regionRingOf(views[0]), 'ledger', key)!;
        const after = targetAcceptorNodeOf(regionRingOf(views[3]), 'ledger', key)!;
        expect(views.slice(0, 3).map((view) => answering(view, key))).toEqual([[before], [before], [before]]);
        expect(answering(views[3], key)).toEqual(before === after ? [before] : []);
        expect(answering(views[4], key)).toEqual([after]);
      }),
    );
  });

  it('moves some keys to the joining node and leaves the rest answered throughout', () => {
    const keys = Array.from({ length: 2_000 }, (_, i) => `key-${i}`);
    const moving = keys.filter((key) => answering(views[3], key).length === 0);
    expect(moving.length).toBeGreaterThan(300);
    expect(moving.length).toBeLessThan(700);
    expect(moving.every((key) => answering(views[4], key)[0] === 'n4')).toBe(true);
  });

  it('answers for nothing on an empty ring', () => {
    const empty: RingView = { ...views[0], members: [], nodes: [] };
    expect(answering(empty, 'k')).toEqual([]);
    expect(targetAcceptorNodeOf(regionRingOf(empty), 'ledger', 'k')).toBeNull();
  });
});

describe('acceptorHolders', () => {
  const views = joinViews();

  it('names the ring members, unless one is down or acceptor state is moving between nodes', () => {
    expect(acceptorHolders(views[0])).toEqual(['n1', 'n2', 'n3']);
    expect(acceptorHolders(views[2])).toEqual(['n1', 'n2', 'n3']);
    expect(acceptorHolders(views[3])).toBeNull();
    expect(acceptorHolders(views[4])).toEqual(NODES);
    const n2Down = { ...views[4], nodes: views[4].nodes.map((node) => (node.id === 'n2' ? { ...node, status: 'down' as const } : node)) };
    expect(acceptorHolders(n2Down)).toBeNull();
    expect(acceptorHolders(null)).toBeNull();
  });

  it("asks each holder with the last rebalance the asker's view has seen finish", () => {
    const request = { requestId: 'r', keyspace: 'ledger', prefix: '', after: null, limit: 10 };
    expect(acceptorKeysAsks(views[4], request)).toEqual({ nodes: NODES, request: { ...request, lastRebalanceId: 2 } });
    expect(acceptorKeysAsks(views[0], request)).toEqual({ nodes: ['n1', 'n2', 'n3'], request: { ...request, lastRebalanceId: null } });
    expect(acceptorKeysAsks(views[3], request)).toBeNull();
  });
});
