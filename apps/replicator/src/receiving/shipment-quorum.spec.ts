import type { KeyPlacement } from './replica-deliveries';
import { ShipmentQuorum } from './shipment-quorum';

const home = (node: string) => ({ node, hintFor: null, counts: true });
const standIn = (node: string, hintFor: string) => ({ node, hintFor, counts: false });
const threeHomes: KeyPlacement = { targets: [home('n1'), home('n2'), home('n3')], unplaced: [] };

describe('ShipmentQuorum', () => {
  it('is met once W of N home replicas committed every version, not before', () => {
    const quorum = new ShipmentQuorum([threeHomes, threeHomes], () => 2);
    expect(quorum.committed('n2', [0, 1])).toBe(false);
    expect(quorum.committed('n3', [0, 1])).toBe(true);
    expect(quorum.met()).toBe(true);
  });

  it('waits for the version whose replicas answer last', () => {
    const other: KeyPlacement = { targets: [home('n3'), home('n1'), home('n2')], unplaced: [] };
    const quorum = new ShipmentQuorum([threeHomes, other], () => 1);
    expect(quorum.committed('n1', [0])).toBe(false);
    expect(quorum.committed('n3', [1])).toBe(true);
  });

  it('takes W from each version’s keyspace', () => {
    const quorum = new ShipmentQuorum([threeHomes, threeHomes], (index) => (index === 0 ? 1 : 3));
    expect(quorum.committed('n1', [0, 1])).toBe(false);
    expect(quorum.committed('n2', [0, 1])).toBe(false);
    expect(quorum.committed('n3', [0, 1])).toBe(true);
  });

  it('counts neither a stand-in nor a node that is not a target of the version', () => {
    const oneDown: KeyPlacement = { targets: [home('n1'), standIn('n4', 'n2'), home('n3')], unplaced: [] };
    const quorum = new ShipmentQuorum([oneDown], () => 2);
    expect(quorum.committed('n4', [0])).toBe(false);
    expect(quorum.committed('n5', [0])).toBe(false);
    expect(quorum.committed('n1', [0])).toBe(false);
    expect(quorum.committed('n3', [0])).toBe(true);
  });

  it('is never met early for a version with fewer home replicas than W: every delivery must answer', () => {
    const twoDown: KeyPlacement = { targets: [home('n1'), standIn('n4', 'n2'), standIn('n5', 'n3')], unplaced: [] };
    const quorum = new ShipmentQuorum([twoDown], () => 2);
    for (const node of ['n1', 'n4', 'n5']) expect(quorum.committed(node, [0])).toBe(false);
  });

  it('is met at once by an empty shipment', () => {
    expect(new ShipmentQuorum([], () => 2).met()).toBe(true);
  });
});
