import { mapWithConcurrency } from '../support/concurrency';
import { expectApiError, expectStatus, http, jsonOf, pollUntil } from '../support/http';
import { counterTotal } from '../support/metrics';
import { query } from '../support/shard-db';
import { defineKeyspaceEverywhere, startTestRegions, THREE_REGIONS, type TestRegions } from '../support/test-regions';

/** Every table of a shard that holds a keyspace's data, counted for one keyspace. */
const ROWS_OF_KEYSPACE = `SELECT (SELECT count(*) FROM versions WHERE keyspace = $1) + (SELECT count(*) FROM conflicts WHERE keyspace = $1)
   + (SELECT count(*) FROM hints WHERE keyspace = $1) + (SELECT count(*) FROM acceptor_state WHERE keyspace = $1) AS n`;

/**
 * Deleting a keyspace on three regions of real processes: its data goes from every node of every region,
 * its keys and its name are refused everywhere, and neither writes made on the other side of a partition
 * nor a later redefinition there bring it back.
 */
describe('deleting a keyspace across three regions', () => {
  let regions: TestRegions;
  const gateway = (region: string): string => regions.gatewayUrl(region);

  beforeAll(async () => {
    // Storage nodes purge a deleted keyspace's data on their expiry sweep: every second here.
    regions = await startTestRegions('keyspace-deletion', { GEOKV_EXPIRY_SWEEP_INTERVAL_MS: '1000' });
  }, 180_000);

  afterAll(() => regions?.stop(), 60_000);

  /** The keyspace's rows on every storage node of the region. */
  async function rowsIn(region: string, keyspace: string): Promise<number> {
    const counts = await Promise.all(
      regions.cluster.region(region).storageNodes.map(async (node) => Number((await query<{ n: string }>(node.databaseUrl, ROWS_OF_KEYSPACE, [keyspace]))[0].n)),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  const rowsEverywhere = (keyspace: string): Promise<number[]> => Promise.all(THREE_REGIONS.map((region) => rowsIn(region, keyspace)));

  async function writeKeys(keyspace: string, prefix: string, count: number, regionOf: (i: number) => string): Promise<void> {
    await mapWithConcurrency(
      Array.from({ length: count }, (_, i) => i),
      8,
      async (i) => expectStatus(await http(`${gateway(regionOf(i))}/v1/kv/${keyspace}/${prefix}${i}`, { method: 'PUT', body: `value-${i}` }), 204),
    );
  }

  /** Waits until no region's gateway serves the keyspace's policy any more. */
  async function goneEverywhere(keyspace: string): Promise<void> {
    for (const region of THREE_REGIONS) {
      await pollUntil(() => http(`${gateway(region)}/v1/keyspaces/${keyspace}`), (result) => result.status === 404, {
        timeoutMs: 20_000,
        what: `keyspace ${keyspace} to be gone in ${region}`,
      });
    }
  }

  it('purges its data from every node of every region, refuses its keys and its name, and leaves other keyspaces alone', async () => {
    await defineKeyspaceEverywhere(regions, 'scratch', { conflictResolution: 'siblings' });
    await defineKeyspaceEverywhere(regions, 'scratch-strong', { consistency: 'strong' });
    await defineKeyspaceEverywhere(regions, 'kept', {});
    const inTurn = (i: number): string => THREE_REGIONS[i % 3];
    await writeKeys('scratch', 'k', 150, inTurn);
    await writeKeys('scratch-strong', 's', 20, inTurn);
    await writeKeys('kept', 'k', 150, inTurn);
    // Replicated everywhere first, so the purge has something to do in every region.
    await pollUntil(() => rowsEverywhere('scratch'), (counts) => counts.every((count) => count >= 150), {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: 'scratch to reach every region',
    });
    expect(Math.min(...(await rowsEverywhere('scratch-strong')))).toBeGreaterThan(0);

    expectStatus(await http(`${gateway('eu-west')}/v1/keyspaces/scratch`, { method: 'DELETE' }), 204);
    expectStatus(await http(`${gateway('us-east')}/v1/keyspaces/scratch-strong`, { method: 'DELETE' }), 204);
    // In the region that deleted it, at once.
    expectApiError(await http(`${gateway('eu-west')}/v1/kv/scratch/k1`), 404, 'KEYSPACE_NOT_FOUND');
    await goneEverywhere('scratch');
    await goneEverywhere('scratch-strong');

    for (const region of THREE_REGIONS) {
      expectApiError(await http(`${gateway(region)}/v1/kv/scratch/k1`), 404, 'KEYSPACE_NOT_FOUND');
      expectApiError(await http(`${gateway(region)}/v1/kv/scratch/k1`, { method: 'PUT', body: 'late' }), 404, 'KEYSPACE_NOT_FOUND');
      expectApiError(await http(`${gateway(region)}/v1/kv/scratch?prefix=k`), 404, 'KEYSPACE_NOT_FOUND');
      expectApiError(await http(`${gateway(region)}/v1/kv/scratch-strong/s1`), 404, 'KEYSPACE_NOT_FOUND');
      // Its name is never reused.
      expectApiError(
        await http(`${gateway(region)}/v1/keyspaces/scratch`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{}' }),
        409,
        'KEYSPACE_DELETED',
      );
      expectApiError(await http(`${gateway(region)}/v1/keyspaces/scratch`, { method: 'DELETE' }), 404, 'KEYSPACE_NOT_FOUND');
      const names = (jsonOf(await http(`${gateway(region)}/v1/keyspaces`)) as { keyspaces: { name: string }[] }).keyspaces.map((policy) => policy.name);
      expect(names).toContain('kept');
      expect(names).not.toContain('scratch');
    }
    await pollUntil(async () => [...(await rowsEverywhere('scratch')), ...(await rowsEverywhere('scratch-strong'))], (counts) => counts.every((count) => count === 0), {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: "every region to purge the deleted keyspaces' rows",
    });

    // Operators see the purge: each region's nodes counted the rows they purged.
    for (const region of THREE_REGIONS) {
      const nodes = regions.cluster.region(region).storageNodes.map((node) => node.process.httpUrl);
      expect(await counterTotal(nodes, 'geokv_deleted_keyspace_rows_purged_total')).toBeGreaterThanOrEqual(150);
    }

    // The other keyspace is whole, in every region.
    for (const region of THREE_REGIONS) {
      await mapWithConcurrency(
        Array.from({ length: 150 }, (_, i) => i),
        8,
        async (i) => {
          const read = await http(`${gateway(region)}/v1/kv/kept/k${i}`);
          expectStatus(read, 200);
          expect(read.body.toString('utf8')).toBe(`value-${i}`);
        },
      );
    }
  }, 180_000);

  it('a deletion wins over writes and a later redefinition made on the other side of a partition, and nothing comes back', async () => {
    await defineKeyspaceEverywhere(regions, 'cut', {});
    await writeKeys('cut', 'before', 60, () => 'us-east');
    await pollUntil(() => rowsIn('ap-south', 'cut'), (count) => count >= 60, { timeoutMs: 30_000, intervalMs: 250, what: 'cut to reach ap-south' });

    const { proxy } = regions.cluster;
    const cutOff = 'ap-south';
    for (const other of THREE_REGIONS.filter((region) => region !== cutOff)) {
      proxy.setFaults(cutOff, other, { delayMs: 0, blackhole: true });
      proxy.setFaults(other, cutOff, { delayMs: 0, blackhole: true });
    }
    try {
      expectStatus(await http(`${gateway('us-east')}/v1/keyspaces/cut`, { method: 'DELETE' }), 204);
      // The cut-off region has not heard of it: it takes writes, and a redefinition made after the deletion.
      await writeKeys('cut', 'during', 60, () => cutOff);
      const redefined = await http(`${gateway(cutOff)}/v1/keyspaces/cut`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"defaultTtlSeconds":3600}' });
      expectStatus(redefined, 200);
    } finally {
      proxy.healAll();
    }

    await goneEverywhere('cut');
    await pollUntil(() => rowsEverywhere('cut'), (counts) => counts.every((count) => count === 0), {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: "every region to purge cut's rows, the cut-off region's writes included",
    });
    // Once ap-south has shipped what it wrote while cut off, nothing of it has come back anywhere.
    await pollUntil(
      async () => (jsonOf(await http(`${gateway(cutOff)}/v1/admin/replication`)) as { peers: { backlog: number }[] }).peers,
      (peers) => peers.every((peer) => peer.backlog === 0),
      { timeoutMs: 30_000, intervalMs: 250, what: 'ap-south to ship its backlog' },
    );
    expect(await rowsEverywhere('cut')).toEqual([0, 0, 0]);
    for (const region of THREE_REGIONS) expectApiError(await http(`${gateway(region)}/v1/kv/cut/during1`), 404, 'KEYSPACE_NOT_FOUND');
  }, 180_000);
});
