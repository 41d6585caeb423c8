import { DataSource } from 'typeorm';
import { Teardown } from '@geokv/test-support';
import { changedCatalogOf, DEFAULT_KEYSPACE, type KeyspaceDefinition, type KeyspacePolicy } from '@geokv/protocol';
import { CatalogStore } from '../../apps/membership/src/catalog/catalog.store';
import { createMigratedControlPlane } from '../support/migrated-database';

/**
 * Membership's keyspace catalog on real PostgreSQL: definitions a peer region ships (every one it has,
 * each time) adopted by last writer wins, in one statement however many there are; a poll from a process
 * that holds the current catalog answered with its version alone.
 */
describe('keyspace catalog (real PostgreSQL)', () => {
  const teardown = new Teardown();
  let store: CatalogStore;
  let secondStore: CatalogStore;

  beforeAll(async () => {
    const url = await createMigratedControlPlane('catalog', teardown);
    const sources = [new DataSource({ type: 'postgres', url }), new DataSource({ type: 'postgres', url })];
    for (const source of sources) {
      await source.initialize();
      teardown.add('close data source', () => source.destroy());
    }
    store = new CatalogStore(sources[0]);
    secondStore = new CatalogStore(sources[1]);
  }, 60_000);

  afterAll(() => teardown.run());

  const policy = (name: string, overrides: Partial<KeyspacePolicy> = {}): KeyspacePolicy => ({ ...DEFAULT_KEYSPACE, name, ...overrides });
  const definition = (name: string, changedAtMs: number, originRegion: string, overrides: Partial<KeyspacePolicy> = {}, deleted = false): KeyspaceDefinition => ({
    policy: policy(name, overrides),
    changedAtMs,
    originRegion,
    deleted,
  });
  const policyNamed = async (name: string): Promise<KeyspacePolicy | undefined> =>
    (await store.load()).keyspaces.find((candidate) => candidate.name === name);

  it('adopts thousands of definitions in one call, and a resent shipment changes nothing', async () => {
    const shipment = Array.from({ length: 3_000 }, (_, i) => definition(`tenant-${i}`, 1_000 + i, 'eu-west', { defaultTtlSeconds: i % 2 === 0 ? null : i }));
    expect(await store.adopt(shipment)).toBe(3_000);
    const catalog = await store.load();
    expect(catalog.keyspaces.filter((candidate) => candidate.name.startsWith('tenant-'))).toHaveLength(3_000);
    expect(await policyNamed('tenant-7')).toEqual(policy('tenant-7', { defaultTtlSeconds: 7 }));

    expect(await store.adopt(shipment)).toBe(0);
    expect((await store.load()).version).toBe(catalog.version);
  }, 60_000);

  it('keeps the newer of each pair by time, then region, and the newest of duplicates in one shipment', async () => {
    await store.upsert(policy('mixed-local', { conflictResolution: 'siblings' }), 'us-east');
    const local = (await store.definitions()).find((held) => held.policy.name === 'mixed-local')!;
    await store.adopt([definition('mixed-tie', 5_000, 'ap-south', { replicationFactor: 1, readQuorum: 1, writeQuorum: 1 })]);

    const adopted = await store.adopt([
      definition('mixed-local', local.changedAtMs - 1, 'ap-south', { conflictResolution: 'manual' }),
      definition('mixed-tie', 5_000, 'eu-west', { replicationFactor: 5, readQuorum: 3, writeQuorum: 3 }),
      definition('mixed-new', 10, 'ap-south', { consistency: 'strong' }),
      definition('mixed-new', 20, 'ap-south', { consistency: 'eventual', conflictResolution: 'siblings' }),
    ]);

    expect(adopted).toBe(2);
    expect((await policyNamed('mixed-local'))?.conflictResolution).toBe('siblings');
    expect((await policyNamed('mixed-tie'))?.replicationFactor).toBe(5);
    expect((await policyNamed('mixed-new'))?.conflictResolution).toBe('siblings');
  }, 30_000);

  it('never deadlocks when two shipments name the same keyspaces in opposite orders', async () => {
    const names = Array.from({ length: 500 }, (_, i) => `contended-${i}`);
    for (let round = 1; round <= 10; round++) {
      const forward = names.map((name) => definition(name, round * 10, 'eu-west'));
      const backward = names.map((name) => definition(name, round * 10, 'ap-south')).reverse();
      const [fromEuWest, fromApSouth] = await Promise.all([store.adopt(forward), secondStore.adopt(backward)]);
      // At the same time the greater region wins: eu-west holds every name at the end of the round.
      expect(fromEuWest + fromApSouth).toBeGreaterThanOrEqual(names.length);
      const held = (await store.definitions()).filter((candidate) => candidate.policy.name.startsWith('contended-'));
      expect(held.every((candidate) => candidate.originRegion === 'eu-west' && candidate.changedAtMs === round * 10)).toBe(true);
    }
  }, 60_000);

  it('answers a poll with the version alone while the asker holds the current catalog', async () => {
    const current = await store.load();
    expect(await store.loadUnlessHeld(current.version)).toEqual({ version: current.version, unchanged: true });
    // Without a version, or with any other (older, or ahead after a rebuilt database), the whole catalog.
    expect(await store.loadUnlessHeld(undefined)).toEqual(current);
    expect(await store.loadUnlessHeld(current.version - 1)).toEqual(current);
    expect(await store.loadUnlessHeld(current.version + 1)).toEqual(current);

    await store.upsert(policy('polled-after-change', { conflictResolution: 'manual' }), 'us-east');
    const changed = changedCatalogOf(await store.loadUnlessHeld(current.version));
    expect(changed?.version).toBeGreaterThan(current.version);
    expect(changed?.keyspaces.find((candidate) => candidate.name === 'polled-after-change')?.conflictResolution).toBe('manual');
  }, 30_000);

  describe('deleting keyspaces', () => {
    it('keeps a deleted keyspace as a tombstone: out of the catalog, named among the deleted, its name never reused', async () => {
      await store.upsert(policy('doomed', { conflictResolution: 'siblings' }), 'us-east');
      const before = await store.load();
      expect(await store.delete('doomed', 'us-east')).toBe(true);
      const after = await store.load();
      expect(after.version).toBeGreaterThan(before.version);
      expect(after.keyspaces.map((held) => held.name)).not.toContain('doomed');
      expect(after.deleted).toContain('doomed');
      expect((await store.definitions()).find((held) => held.policy.name === 'doomed')).toMatchObject({ deleted: true, originRegion: 'us-east' });

      expect(await store.upsert(policy('doomed'), 'eu-west')).toBe(false);
      expect(await store.delete('doomed', 'us-east')).toBe(false);
      expect(await store.delete('never-defined', 'us-east')).toBe(false);
      expect((await store.load()).version).toBe(after.version);
    }, 30_000);

    it('lets a deletion beat any live definition, however much later, and never the other way round', async () => {
      await store.adopt([definition('cut-off', 1_000, 'us-east')]);
      // Deleted in eu-west at t=2,000; redefined in ap-south, cut off from it, at t=9,000.
      expect(await store.adopt([definition('cut-off', 9_000, 'ap-south', { defaultTtlSeconds: 60 }), definition('cut-off', 2_000, 'eu-west', {}, true)])).toBe(1);
      expect((await store.load()).deleted).toContain('cut-off');
      expect(await store.adopt([definition('cut-off', 9_000, 'ap-south', { defaultTtlSeconds: 60 })])).toBe(0);
      expect((await store.load()).deleted).toContain('cut-off');

      // The same shipments the other way round: the live definition first.
      await store.adopt([definition('cut-off-2', 9_000, 'ap-south')]);
      expect(await store.adopt([definition('cut-off-2', 2_000, 'eu-west', {}, true)])).toBe(1);
      expect((await store.load()).keyspaces.map((held) => held.name)).not.toContain('cut-off-2');
    }, 30_000);
  });
});
