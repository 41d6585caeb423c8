import { DEFAULT_NODE_POOL, MIN_NODE_POOL, nodePoolWithin, SPARE_CONNECTIONS } from './connection-budget';

const stockServer = { maxConnections: 100, reservedConnections: 3, inUse: 1 };
const threeRegions = { storageNodes: 9, fixedConnections: 12 };

describe('nodePoolWithin', () => {
  it("fits three regions of three nodes in PostgreSQL's default 100 connections, where the default pool would not", () => {
    const pool = nodePoolWithin(stockServer, threeRegions);
    expect(pool).toBe(8);
    expect(9 * DEFAULT_NODE_POOL + 12).toBeGreaterThan(100 - 3);
    expect(9 * pool + 12 + 1 + SPARE_CONNECTIONS).toBeLessThanOrEqual(100 - 3);
  });

  it('never gives more than the storage node’s own default', () => {
    expect(nodePoolWithin({ ...stockServer, maxConnections: 1_000 }, threeRegions)).toBe(DEFAULT_NODE_POOL);
  });

  it('counts connections other clients already hold', () => {
    expect(nodePoolWithin({ ...stockServer, inUse: 30 }, threeRegions)).toBe(4);
  });

  it('fails with what to change when even the minimum pool does not fit', () => {
    expect(() => nodePoolWithin({ ...stockServer, inUse: 60 }, threeRegions)).toThrow(/raise max_connections/);
    expect(nodePoolWithin({ ...stockServer, inUse: 100 - 3 - SPARE_CONNECTIONS - 12 - 9 * MIN_NODE_POOL }, threeRegions)).toBe(MIN_NODE_POOL);
  });
});
