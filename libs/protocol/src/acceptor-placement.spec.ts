import fc from 'fast-check';
import type { NodeView, RebalanceKind, RebalancePhase, RebalanceView, RingView } from './membership-messages';
import { acceptorHolders, acceptorKeysAsks, acceptorNodeOf, answersAsAcceptor, heldByLostAcceptor, lostAcceptorOf, targetAcceptorNodeOf } from './acceptor-placement';
import { regionRingOf } from './region-ring-of';

const NODES = ['n1', 'n2', 'n3', 'n4'];
const nodeView = (id: string): NodeView => ({ id, status: 'up', role: 'member', httpUrl: '', joinedAtMs: 0, lastHeartbeatMs: 0 });

/** The views a node sees through a join of n4 (epochs in order), ending with the target ring as the ring. */
function joinViews(): RingView[] {
  const base = { region: 'us-east', vnodesPerNode: 16, nodes: NODES.map(nodeView), lastRebalanceId: null };
  const rebalance = (phase: RebalancePhase) => rebalanceOf('join', 'n4', NODES, phase);
  return [
    { ...base, epoch: 1, members: ['n1', 'n2', 'n3'], rebalance: null },
    { ...base, epoch: 2, members: ['n1', 'n2', 'n3'], rebalance: rebalance('propagating') },
    { ...base, epoch: 3, members: ['n1', 'n2', 'n3'], rebalance: rebalance('streaming') },
    { ...base, epoch: 4, members: ['n1', 'n2', 'n3'], rebalance: rebalance('acceptors') },
    { ...base, epoch: 5, members: NODES, rebalance: null, lastRebalanceId: 2 },
  ];
}

function rebalanceOf(kind: RebalanceKind, node: string, target: string[], phase: RebalancePhase): RebalanceView {
  return {
    id: 2,
    kind,
    node,
    target,
    phase,
    startedAtMs: 0,
    partitionsMoving: 0,
    partitionsPending: 0,
    keysMoved: 0,
    bytesMoved: 0,
    acceptorsMoved: 0,
    acceptorsRebuilt: false,
    nodesDone: [],
  };
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

describe('lostAcceptorOf', () => {
  const members = ['n1', 'n2', 'n3'];
  const viewOf = (kind: RebalanceKind, phase: RebalancePhase, n3: NodeView['status']): RingView => ({
    region: 'us-east',
    epoch: 7,
    vnodesPerNode: 16,
    nodes: members.map((id) => ({ ...nodeView(id), status: id === 'n3' ? n3 : 'up' })),
    members,
    rebalance: rebalanceOf(kind, 'n3', ['n1', 'n2'], phase),
    lastRebalanceId: null,
  });

  it('names the node a leave removes, in its acceptors phase, while it is down', () => {
    expect(lostAcceptorOf(viewOf('leave', 'acceptors', 'down'))).toEqual({ node: 'n3', members, vnodesPerNode: 16 });
  });

  it('names nobody before that phase, when the node is up (it hands its state over itself), or for a drain', () => {
    expect(lostAcceptorOf(viewOf('leave', 'streaming', 'down'))).toBeNull();
    expect(lostAcceptorOf(viewOf('leave', 'acceptors', 'up'))).toBeNull();
    expect(lostAcceptorOf(viewOf('drain', 'acceptors', 'down'))).toBeNull();
    expect(lostAcceptorOf({ ...viewOf('leave', 'acceptors', 'down'), rebalance: null })).toBeNull();
    expect(lostAcceptorOf(null)).toBeNull();
  });
});

describe('heldByLostAcceptor', () => {
  it("picks exactly the keys whose acceptor the lost node was in its region's ring", () => {
    const view = { ...joinViews()[0] };
    const ring = regionRingOf(view);
    const held = heldByLostAcceptor({ node: 'n2', members: view.members, vnodesPerNode: view.vnodesPerNode });
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 12 }), (key) => {
        expect(held({ keyspace: 'ledger', key })).toBe(acceptorNodeOf(ring, 'ledger', key) === 'n2');
      }),
      { numRuns: 500 },
    );
  });
});
