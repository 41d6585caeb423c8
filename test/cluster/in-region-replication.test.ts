import { randomBytes } from 'node:crypto';
import { Ring } from '@geokv/partitioning';
import { placementKey } from '@geokv/protocol';
import { mapWithConcurrency } from '../support/concurrency';
import { expectApiError, expectStatus, http, jsonOf, keyPath, pollUntil, type HttpResult } from '../support/http';
import { LoadLoop } from '../support/load-loop';
import { counterTotal as counterTotalOf } from '../support/metrics';
import { query } from '../support/shard-db';
import { explainWithLogs, startTestRegion, type TestRegion } from '../support/test-region';

interface RingSummary {
  members: string[];
  vnodesPerNode: number;
  nodes: { id: string; status: string; role: string; ownership: number }[];
  rebalance: null | { phase: string; partitionsMoving: number; partitionsPending: number; keysMoved: number; bytesMoved: number };
}

/**
 * A region that keeps three replicas of every key (keyspace `default`: N=3, R=2, W=2): a node killed, a
 * node joining and a node draining, each under load, and what clients see meanwhile. The scenarios run in
 * order on one region of real processes, each starting from the state the previous one left.
 */
describe('in-region replication (one region, N=3 W=2 R=2)', () => {
  let cluster: TestRegion;
  let gw: string;
  const prefix = `geokv_rf${randomBytes(3).toString('hex')}`;
  /** Every write acknowledged so far, by key: nothing may ever be lost. */
  const acknowledged = new Map<string, Buffer>();

  beforeAll(async () => {
    cluster = await startTestRegion({
      suite: 'in-region',
      appEnv: { 'storage-node': { GEOKV_HANDOFF_CLEANUP_DELAY_MS: '1500' } },
    });
    gw = cluster.gatewayUrl;
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  const url = (key: string): string => `${gw}/v1/kv/default/${keyPath(key)}`;
  const ring = async (): Promise<RingSummary> => jsonOf(await http(`${gw}/v1/admin/ring`)) as RingSummary;
  const shard = (id: string): string => cluster.region.storageNode(id).databaseUrl;

  /** The keys a node's shard holds (any version). */
  async function keysOn(id: string): Promise<Set<string>> {
    const rows = await query<{ key: string }>(shard(id), "SELECT DISTINCT key FROM versions WHERE keyspace = 'default'");
    return new Set(rows.map((row) => row.key));
  }

  /** The home replicas of a key in a ring of these members (what the region should converge to). */
  function homesOf(members: readonly string[], vnodes: number, key: string): string[] {
    return new Ring(members.map((id) => ({ id })), { vnodesPerNode: vnodes }).preferenceList(placementKey('default', key), 3);
  }

  /** A counter summed over the given nodes' series of it (every label set). */
  const counterTotal = (ids: readonly string[], metric: string): Promise<number> =>
    counterTotalOf(ids.map((id) => cluster.region.storageNode(id).process.httpUrl), metric);

  /**
   * Keys the given nodes have streamed to new replicas so far, by their `geokv_handoff_keys_moved_total`.
   * The ring view's `keysMoved` is only a live progress figure: a short join can finish between two polls.
   */
  const handoffKeysMoved = (ids: readonly string[]): Promise<number> => counterTotal(ids, 'geokv_handoff_keys_moved_total');

  function remember(loop: LoadLoop): void {
    for (const attempt of loop.acknowledged()) acknowledged.set(attempt.key, attempt.value);
  }

  async function expectNothingLost(): Promise<void> {
    const entries = [...acknowledged];
    const reads = await mapWithConcurrency(entries, 32, ([key]) => http(url(key)));
    const lost = reads.flatMap((read, i) => (read.status === 200 && read.body.equals(entries[i][1]) ? [] : [`${entries[i][0]}: HTTP ${read.status}`]));
    expect(lost).toEqual([]);
  }

  async function waitForRebalanceEnd(what: string): Promise<RingSummary> {
    return pollUntil(ring, (view) => view.rebalance === null, { timeoutMs: 90_000, intervalMs: 200, what });
  }

  it('keeps taking writes and serving reads while a replica is killed with SIGKILL, then hands it every key it missed', async () => {
    const victim = cluster.region.storageNode('n2');
    await explainWithLogs(cluster.region.apps(), async () => {
      const load = new LoadLoop(gw, 'default', 'kill/', { clients: 4, maxMs: 60_000 });
      await pollUntil(async () => load.acknowledged().length, (count) => count >= 200, { timeoutMs: 30_000, what: '200 writes before the kill' });
      victim.process.kill('SIGKILL');
      expect((await victim.process.waitExit(10_000)).signal).toBe('SIGKILL');
      await pollUntil(ring, (view) => view.nodes.find((node) => node.id === 'n2')?.status === 'down', { timeoutMs: 15_000, what: 'n2 to be marked down' });
      const writtenWhileDown = load.acknowledged().length;
      await pollUntil(async () => load.acknowledged().length, (count) => count >= writtenWhileDown + 300, { timeoutMs: 30_000, what: '300 more writes while n2 is down' });
      await load.stop();
      // A client saw no error: writes in flight to the dead node were coordinated by another replica.
      expect(load.failures()).toEqual([]);
      remember(load);

      await victim.process.restart();
      await victim.process.waitReady();
      // Hinted handoff: every key written while it was gone reaches it, and the hints are then deleted.
      const keys = load.acknowledged().map((attempt) => attempt.key);
      await pollUntil(
        () => keysOn('n2'),
        (held) => keys.every((key) => held.has(key)),
        { timeoutMs: 30_000, intervalMs: 500, what: 'n2 to hold every key written during the run' },
      );
      await pollUntil(
        () => Promise.all(['n1', 'n3'].map((id) => query<{ count: string }>(shard(id), 'SELECT count(*) FROM hints'))),
        (counts) => counts.every((rows) => rows[0].count === '0'),
        { timeoutMs: 15_000, what: 'every hint to be delivered and deleted', intervalMs: 500 },
      );
      const metrics = await Promise.all(['n1', 'n3'].map(async (id) => (await http(`${cluster.region.storageNode(id).process.httpUrl}/metrics`)).body.toString('utf8')));
      expect(metrics.join('\n')).toMatch(/geokv_hints_replayed_total\{[^}]*target="n2"[^}]*\} [1-9]/);
      await expectNothingLost();
    });
  }, 180_000);

  it('moves about a quarter of the ring to a fourth node that joins under load, only to it, with every key readable throughout', async () => {
    const before = await ring();
    const held = new Map(await Promise.all(before.members.map(async (id) => [id, await keysOn(id)] as const)));
    const movedBefore = await handoffKeysMoved(before.members);
    const n4 = await cluster.region.addStorageNode('n4', prefix);
    await explainWithLogs(cluster.region.apps(), async () => {
      await pollUntil(ring, (view) => view.nodes.some((node) => node.id === 'n4' && node.role === 'standby'), { timeoutMs: 15_000, what: 'n4 to register as a standby' });
      const load = new LoadLoop(gw, 'default', 'join/', { clients: 4, maxMs: 90_000 });
      const joined = await http(`${gw}/v1/admin/nodes`, { method: 'POST', body: '{"nodeId":"n4"}', headers: { 'content-type': 'application/json' } });
      expectStatus(joined, 202);
      expect((jsonOf(joined) as RingSummary).rebalance).toMatchObject({ phase: 'propagating' });
      // One change at a time.
      expectApiError(await http(`${gw}/v1/admin/nodes/n1/drain`, { method: 'POST' }), 409, 'REBALANCE_IN_PROGRESS');
      let progress: RingSummary['rebalance'] = null;
      const after = await pollUntil(
        async () => {
          const view = await ring();
          if (view.rebalance !== null) progress = view.rebalance;
          return view;
        },
        (view) => view.rebalance === null,
        { timeoutMs: 90_000, intervalMs: 200, what: 'the join to finish' },
      );
      await load.stop();
      expect(load.failures()).toEqual([]);
      remember(load);

      expect(after.members).toEqual(['n1', 'n2', 'n3', 'n4']);
      const ownership = after.nodes.find((node) => node.id === 'n4')!.ownership;
      expect(ownership).toBeGreaterThan(0.15);
      expect(ownership).toBeLessThan(0.35);
      expect(progress).not.toBeNull();
      expect(progress!.partitionsMoving).toBeGreaterThan(0);

      // n4 holds exactly the keys whose replicas now include it, and the old nodes gained nothing.
      const keys = [...acknowledged.keys()];
      const n4Keys = await keysOn('n4');
      const missing = keys.filter((key) => homesOf(after.members, after.vnodesPerNode, key).includes('n4') && !n4Keys.has(key));
      expect(missing).toEqual([]);
      const shouldHold = keys.filter((key) => homesOf(after.members, after.vnodesPerNode, key).includes('n4')).length / keys.length;
      expect(shouldHold).toBeGreaterThan(0.6);
      // Every key n4 gained from before the join was streamed to it by one of the old replicas.
      const heldBefore = [...held.values()].reduce((union, ids) => new Set([...union, ...ids]), new Set<string>());
      const dueToN4 = [...heldBefore].filter((key) => homesOf(after.members, after.vnodesPerNode, key).includes('n4')).length;
      expect(dueToN4).toBeGreaterThan(0);
      expect((await handoffKeysMoved(before.members)) - movedBefore).toBeGreaterThanOrEqual(dueToN4);
      // Old nodes drop what moved once the join is done (after the cleanup delay), keeping only their own.
      for (const id of before.members) {
        await pollUntil(
          () => keysOn(id),
          (now) => [...now].every((key) => homesOf(after.members, after.vnodesPerNode, key).includes(id)),
          { timeoutMs: 20_000, intervalMs: 500, what: `${id} to drop the keys it no longer holds` },
        );
        const gained = [...(await keysOn(id))].filter((key) => !held.get(id)!.has(key) && !key.startsWith('join/'));
        expect(gained).toEqual([]);
      }
      expect(n4.id).toBe('n4');
      await expectNothingLost();
    });
  }, 240_000);

  it('drains a node under load: it ends holding nothing and leaves the ring, and nothing is lost', async () => {
    await explainWithLogs(cluster.region.apps(), async () => {
      const load = new LoadLoop(gw, 'default', 'drain/', { clients: 4, maxMs: 90_000 });
      expectStatus(await http(`${gw}/v1/admin/nodes/n2/drain`, { method: 'POST' }), 202);
      const after = await waitForRebalanceEnd('the drain to finish');
      await load.stop();
      expect(load.failures()).toEqual([]);
      remember(load);
      expect(after.members).toEqual(['n1', 'n3', 'n4']);
      expect(after.nodes.find((node) => node.id === 'n2')?.role).toBe('standby');
      await pollUntil(() => keysOn('n2'), (keys) => keys.size === 0, { timeoutMs: 20_000, intervalMs: 500, what: 'the drained node to hold nothing' });
      await expectNothingLost();
    });
  }, 180_000);

  it('brings a replica made stale on purpose up to date through reads (read repair)', async () => {
    const key = 'repair/target';
    const value = randomBytes(32);
    expectStatus(await http(url(key), { method: 'PUT', body: value }), 204);
    const view = await ring();
    const homes = homesOf(view.members, view.vnodesPerNode, key);
    const stale = cluster.region.storageNode(homes[0]);
    // Behind geokv's back: the replica loses the key, and a restart empties its cache.
    await query(stale.databaseUrl, "DELETE FROM versions WHERE keyspace = 'default' AND key = $1", [key]);
    await stale.process.restart();
    await stale.process.waitReady();
    await pollUntil(ring, (now) => now.nodes.every((node) => node.status === 'up'), { timeoutMs: 15_000, what: 'every node up' });
    expect((await keysOn(stale.id)).has(key)).toBe(false);

    // The stale replica is the key's coordinator: its copy (with values) lacks the version the other two
    // replicas' digests name, so the read asks one of them for its values, and read repair needs them too.
    const readsServed = (): Promise<number> => counterTotal(homes.slice(1), 'geokv_cache_lookups_total');
    await explainWithLogs(cluster.region.apps(), async () => {
      const servedBefore = await readsServed();
      const read = await http(url(key));
      expect(read.status).toBe(200);
      expect(read.body.equals(value)).toBe(true);
      await pollUntil(() => keysOn(stale.id), (keys) => keys.has(key), { timeoutMs: 15_000, intervalMs: 100, what: 'the read to repair the stale replica' });
      // Two digests, and one read with values shared by the answer and the repair (each made its own before).
      expect((await readsServed()) - servedBefore).toBe(3);
      const metrics = (await http(`${stale.process.httpUrl}/metrics`)).body.toString('utf8');
      expect(metrics).toContain('geokv_read_repairs_total');
    });
  }, 90_000);

  it("gives the keys written before a keyspace's replicationFactor rises their new replicas, without a read", async () => {
    const keyspace = 'grows';
    const setReplicas = async (replicationFactor: number): Promise<void> =>
      expectStatus(await http(`${gw}/v1/keyspaces/${keyspace}`, { method: 'PUT', body: JSON.stringify({ replicationFactor }), headers: { 'content-type': 'application/json' } }), 200);
    await setReplicas(1);
    const values = new Map(Array.from({ length: 300 }, (_, i) => [`grow/${i}`, randomBytes(16)]));
    const statuses = await mapWithConcurrency([...values], 16, async ([key, value]) => (await http(`${gw}/v1/kv/${keyspace}/${keyPath(key)}`, { method: 'PUT', body: value })).status);
    expect(statuses.filter((status) => status !== 204)).toEqual([]);

    const view = await ring();
    const placement = new Ring(view.members.map((id) => ({ id })), { vnodesPerNode: view.vnodesPerNode });
    const homes = (key: string, n: number): string[] => placement.preferenceList(placementKey(keyspace, key), n);
    /** Per key, the nodes holding a copy, in ring-member order. */
    const holders = async (): Promise<Map<string, string[]>> => {
      const held = new Map([...values.keys()].map((key) => [key, [] as string[]]));
      for (const id of view.members) {
        for (const row of await query<{ key: string }>(shard(id), 'SELECT DISTINCT key FROM versions WHERE keyspace = $1', [keyspace])) held.get(row.key)?.push(id);
      }
      return held;
    };
    const misplaced = (held: Map<string, string[]>, n: number): string[] =>
      [...held].flatMap(([key, nodes]) => (nodes.join() === [...homes(key, n)].sort((a, b) => view.members.indexOf(a) - view.members.indexOf(b)).join() ? [] : [key]));
    expect(misplaced(await holders(), 1)).toEqual([]);

    await explainWithLogs(cluster.region.apps(), async () => {
      await setReplicas(3);
      // Nothing reads the keys meanwhile: the copies come from the nodes, not from read repair.
      await pollUntil(async () => misplaced(await holders(), 3), (keys) => keys.length === 0, {
        timeoutMs: 30_000,
        intervalMs: 500,
        what: 'every key on its three home replicas (observed: the keys that are not)',
      });
    });
    const reads = await mapWithConcurrency([...values], 16, async ([key, value]) => {
      const read = await http(`${gw}/v1/kv/${keyspace}/${keyPath(key)}`);
      return read.status === 200 && read.body.equals(value) ? null : `${key}: HTTP ${read.status}`;
    });
    expect(reads.filter((failure) => failure !== null)).toEqual([]);
  }, 90_000);

  it('refuses writes with 503 INSUFFICIENT_REPLICAS, never a false acknowledgement, when two of three replicas are down', async () => {
    const view = await ring();
    const key = 'quorum/two-down';
    const [, second, third] = homesOf(view.members, view.vnodesPerNode, key);
    const victims = [second, third].map((id) => cluster.region.storageNode(id));
    await explainWithLogs(cluster.region.apps(), async () => {
      for (const victim of victims) victim.process.kill('SIGKILL');
      await Promise.all(victims.map((victim) => victim.process.waitExit(10_000)));
      await pollUntil(ring, (now) => victims.every((victim) => now.nodes.find((node) => node.id === victim.id)?.status === 'down'), {
        timeoutMs: 15_000,
        what: 'both replicas marked down',
      });
      const results: HttpResult[] = [];
      for (let i = 0; i < 5; i++) results.push(await http(url(`${key}/${i}`), { method: 'PUT', body: 'never acknowledged' }));
      for (const result of results) expectApiError(result, 503, 'INSUFFICIENT_REPLICAS');
      // A client that asks for less gets it: W lowered to 1 for this request.
      expectStatus(await http(url(`${key}/lowered`), { method: 'PUT', body: 'one replica is enough', headers: { 'x-write-quorum': '1' } }), 204);
      // Reads need two replicas too, unless the request lowers R.
      expectApiError(await http(url(`${key}/lowered`)), 503, 'INSUFFICIENT_REPLICAS');
      expect((await http(url(`${key}/lowered`), { headers: { 'x-read-quorum': '1' } })).body.toString()).toBe('one replica is enough');

      for (const victim of victims) await victim.process.restart();
      await Promise.all(victims.map((victim) => victim.process.waitReady()));
      await pollUntil(ring, (now) => now.nodes.filter((node) => node.role === 'member').every((node) => node.status === 'up'), { timeoutMs: 15_000, what: 'every member up' });
      for (let i = 0; i < 5; i++) expect((await http(url(`${key}/${i}`))).status).toBe(404);
      await expectNothingLost();
    });
  }, 120_000);
});
