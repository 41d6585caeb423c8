import { CommonConfig } from '@geokv/config';
import { randomBytes } from 'node:crypto';
import type { Ring } from '@geokv/partitioning';
import { mapWithConcurrency, settleWithConcurrency } from '../support/concurrency';
import { expectApiError, expectStatus, http, jsonOf, pollUntil, type HttpResult } from '../support/http';
import { outboxCounts, ownerOf, ringOf } from '../support/shard-db';
import { explainWithLogs, startTestRegion, type TestRegion } from '../support/test-region';

/**
 * Storage-node crashes and freezes, as clients of the gateway see them, for a keyspace with a single replica
 * per key (replicationFactor 1): its keys live on one node, so they are unavailable while that node is down,
 * and nothing acknowledged may be lost. The replicated case is in-region-replication.test.ts, except for
 * the last two tests here: how fast both kinds of keys answer while a dead node is still in the ring, and
 * how fast replicated keys are read while a frozen one is.
 */
describe('storage node failures (one region, three storage nodes, one replica per key)', () => {
  let cluster: TestRegion;
  let gw: string;
  let ring: Ring;

  beforeAll(async () => {
    cluster = await startTestRegion({ suite: 'node-failure' });
    gw = cluster.gatewayUrl;
    ring = await ringOf(gw);
    expectStatus(await http(`${gw}/v1/keyspaces/single`, { method: 'PUT', body: '{"replicationFactor":1}' }), 200);
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  const url = (key: string): string => `${gw}/v1/kv/single/${encodeURIComponent(key)}`;
  const put = (key: string, value: Buffer): Promise<HttpResult> => http(url(key), { method: 'PUT', body: value, headers: { 'content-type': 'application/octet-stream' } });
  const get = (key: string): Promise<HttpResult> => http(url(key));
  const owner = (key: string): string => ownerOf(ring, 'single', key);

  /**
   * `count` keys named `${prefix}NNNN` that `nodeId` owns in `keyspace` (the first of their home replicas:
   * the one that coordinates them), or that it does not own, with `owned` false.
   */
  function keysOf(nodeId: string, prefix: string, count: number, { owned = true, keyspace = 'single' } = {}): string[] {
    const keys: string[] = [];
    for (let i = 0; keys.length < count && i < count * 20; i++) {
      const key = `${prefix}${String(i).padStart(4, '0')}`;
      if ((ownerOf(ring, keyspace, key) === nodeId) === owned) keys.push(key);
    }
    if (keys.length < count) throw new Error(`found only ${keys.length} keys for ${nodeId}`);
    return keys;
  }

  /** A 503 with the documented body: the node is known down, or it did not answer in time. */
  function expectUnavailable(result: HttpResult): void {
    const body = expectApiError(result, 503);
    expect(['NODE_UNAVAILABLE', 'TIMEOUT']).toContain(body.error);
  }

  it('serves all of 1,000 acknowledged writes, byte for byte, after a storage node is killed with SIGKILL and restarted', async () => {
    const victim = cluster.region.storageNode('n2');
    await explainWithLogs(cluster.region.apps(), async () => {
      const keys = Array.from({ length: 1_000 }, (_, i) => `crash/${String(i).padStart(4, '0')}`);
      const values = keys.map((_, i) => randomBytes(16 + ((i * 131) % 300)));
      const outboxBefore = await outboxCounts(cluster.region);
      const writes = await mapWithConcurrency(keys, 50, (key, i) => put(key, values[i]));
      writes.forEach((result) => expectStatus(result, 204));
      const victimKeys = keys.filter((key) => owner(key) === victim.id);
      expect(victimKeys.length).toBeGreaterThan(100);
      const outboxAcked = await outboxCounts(cluster.region);
      expect(outboxAcked[victim.id] - outboxBefore[victim.id]).toBe(victimKeys.length);

      victim.process.kill('SIGKILL');
      expect((await victim.process.waitExit(10_000)).signal).toBe('SIGKILL');
      // While it is gone, its keys fail fast and loudly; the other nodes' keys are unaffected.
      expectUnavailable(await get(victimKeys[0]));
      const survivor = keys.find((key) => owner(key) !== victim.id)!;
      expectStatus(await get(survivor), 200);

      await victim.process.restart();
      await victim.process.waitReady();
      await pollUntil(() => get(victimKeys[0]), (result) => result.status === 200, { timeoutMs: 20_000, what: `${victim.id}'s keys to answer 200 again` });

      const reads = await mapWithConcurrency(keys, 50, (key) => get(key));
      const wrong = reads.flatMap((result, i) => (result.status === 200 && result.body.equals(values[i]) ? [] : [`${keys[i]}: HTTP ${result.status}`]));
      expect(wrong).toEqual([]);
      expect((await outboxCounts(cluster.region))[victim.id]).toBe(outboxAcked[victim.id]);
    });
  }, 120_000);

  it('loses no acknowledged write when a storage node is killed with SIGKILL in the middle of a stream of writes', async () => {
    const victim = cluster.region.storageNode('n1');
    await explainWithLogs(cluster.region.apps(), async () => {
      const keys = keysOf(victim.id, 'midstream/', 300);
      const values = keys.map(() => randomBytes(100));
      let acked = 0;
      const outcomes = await settleWithConcurrency(keys, 50, async (key, i) => {
        const result = await put(key, values[i]);
        if (result.status === 204 && ++acked === 100) victim.process.kill('SIGKILL');
        return result;
      });
      expect(acked).toBeGreaterThanOrEqual(100);
      expect((await victim.process.waitExit(10_000)).signal).toBe('SIGKILL');
      const statuses = outcomes.map((outcome) => (outcome.status === 'fulfilled' ? outcome.value.status : -1));
      // Every write was answered: acknowledged, or refused with a 503, never left hanging or a 500.
      expect(statuses.filter((status) => status !== 204 && status !== 503)).toEqual([]);
      for (const outcome of outcomes) {
        if (outcome.status === 'fulfilled' && outcome.value.status === 503) expectUnavailable(outcome.value);
      }

      await victim.process.restart();
      await victim.process.waitReady();
      await pollUntil(() => get(keys[0]), (result) => result.status === 200, { timeoutMs: 20_000, what: `${victim.id}'s keys to answer 200 again` });

      const reads = await mapWithConcurrency(keys, 50, (key) => get(key));
      const lost: string[] = [];
      reads.forEach((read, i) => {
        if (statuses[i] === 204 && !(read.status === 200 && read.body.equals(values[i]))) lost.push(`${keys[i]}: acknowledged, now HTTP ${read.status}`);
        // A refused write may or may not have been applied, but never as anything but its own value.
        if (statuses[i] !== 204 && !(read.status === 404 || (read.status === 200 && read.body.equals(values[i])))) lost.push(`${keys[i]}: refused, now HTTP ${read.status}`);
      });
      expect(lost).toEqual([]);
    });
  }, 120_000);

  it("answers 503 for a frozen node's keys while other nodes' keys answer 200, and recovers after SIGCONT", async () => {
    const victim = cluster.region.storageNode('n3');
    const victimKeys = keysOf(victim.id, 'frozen/', 5);
    const otherKeys = keysOf(victim.id, 'frozen/', 10, { owned: false });
    const values = new Map([...victimKeys, ...otherKeys].map((key) => [key, randomBytes(64)]));
    for (const [key, value] of values) expectStatus(await put(key, value), 204);

    await explainWithLogs(cluster.region.apps(), async () => {
      victim.process.kill('SIGSTOP');
      try {
        // Before membership notices, a request to the frozen node waits out the RPC timeout, then 503.
        const started = Date.now();
        expectUnavailable(await get(victimKeys[0]));
        expect(Date.now() - started).toBeLessThan(new CommonConfig().GEOKV_RPC_TIMEOUT_MS + 1_500);
        for (const key of otherKeys.slice(0, 3)) expect((await get(key)).body.equals(values.get(key)!)).toBe(true);

        // Once membership marks it down, its keys fail fast with NODE_UNAVAILABLE.
        const fast = await pollUntil(
          async () => {
            const begun = Date.now();
            const result = await get(victimKeys[1]);
            return { result, ms: Date.now() - begun };
          },
          ({ result, ms }) => result.status === 503 && ms < 1_000,
          { timeoutMs: 15_000, intervalMs: 200, what: `${victim.id} to be marked down (fast 503s)` },
        );
        expect(expectApiError(fast.result, 503).error).toBe('NODE_UNAVAILABLE');
        const nodes = jsonOf(await http(`${gw}/v1/admin/nodes`)) as { nodes: { id: string; status: string }[] };
        expect(nodes.nodes.find((node) => node.id === victim.id)?.status).toBe('down');

        for (const key of victimKeys) expectUnavailable(await get(key));
        // A listing needs every node, so it refuses rather than return a partial page.
        expectApiError(await http(`${gw}/v1/kv/single?prefix=frozen`), 503, 'NODE_UNAVAILABLE');
        // The other nodes keep serving reads and writes.
        for (const key of otherKeys) {
          const value = randomBytes(64);
          expectStatus(await put(key, value), 204);
          values.set(key, value);
          const read = await get(key);
          expectStatus(read, 200);
          expect(read.body.equals(value)).toBe(true);
        }
      } finally {
        victim.process.kill('SIGCONT');
      }

      for (const key of victimKeys) {
        const read = await pollUntil(() => get(key), (result) => result.status === 200, { timeoutMs: 20_000, what: `${key} to answer 200 after SIGCONT` });
        expect(read.body.equals(values.get(key)!)).toBe(true);
      }
      for (const key of otherKeys) expect((await get(key)).body.equals(values.get(key)!)).toBe(true);
      const listed = jsonOf(await http(`${gw}/v1/kv/single?prefix=frozen&limit=1000`)) as { keys: string[] };
      expect(listed.keys).toEqual([...values.keys()].sort());
      const nodes = jsonOf(await http(`${gw}/v1/admin/nodes`)) as { nodes: { id: string; status: string }[] };
      expect(nodes.nodes.map((node) => node.status)).toEqual(['up', 'up', 'up']);
    });
  }, 120_000);

  it('answers at once for a node killed before membership notices: N=3 keys from another replica, N=1 keys with 503', async () => {
    const victim = cluster.region.storageNode('n1');
    // Keys n1 coordinates in the default keyspace (N=3, R=2, W=2), and n1's own N=1 keys.
    const replicatedKeys = keysOf(victim.id, 'unheard/', 5, { keyspace: 'default' });
    const singleKeys = keysOf(victim.id, 'unheard/', 3);
    const replicatedUrl = (key: string): string => `${gw}/v1/kv/default/${encodeURIComponent(key)}`;
    for (const key of replicatedKeys) expectStatus(await http(replicatedUrl(key), { method: 'PUT', body: 'before' }), 204);
    for (const key of singleKeys) expectStatus(await put(key, Buffer.from('single')), 204);
    /** A request's result and how long it took. */
    const timed = async (request: Promise<HttpResult>): Promise<{ result: HttpResult; ms: number }> => {
      const begun = Date.now();
      const result = await request;
      return { result, ms: Date.now() - begun };
    };

    await explainWithLogs(cluster.region.apps(), async () => {
      // Membership frozen, nobody marks n1 down: the gateway and the nodes keep sending it requests.
      cluster.region.membership.kill('SIGSTOP');
      try {
        victim.process.kill('SIGKILL');
        expect((await victim.process.waitExit(10_000)).signal).toBe('SIGKILL');
        // Each request to the dead node fails as soon as Redis reports no one subscribed, not after the
        // RPC deadline (5 s): the gateway hands it to the next replica, and a replica's forward to n1 fails as fast.
        for (const key of replicatedKeys) {
          const read = await timed(http(replicatedUrl(key)));
          expectStatus(read.result, 200);
          expect(read.result.body.toString('utf8')).toBe('before');
          const write = await timed(http(replicatedUrl(key), { method: 'PUT', body: 'after' }));
          expectStatus(write.result, 204);
          expect(Math.max(read.ms, write.ms)).toBeLessThan(1_500);
        }
        for (const key of singleKeys) {
          const read = await timed(get(key));
          expect(expectApiError(read.result, 503).error).toBe('NODE_UNAVAILABLE');
          expect(read.ms).toBeLessThan(1_500);
        }
      } finally {
        cluster.region.membership.kill('SIGCONT');
      }
      await victim.process.restart();
      await victim.process.waitReady();
      for (const key of singleKeys) {
        const read = await pollUntil(() => get(key), (result) => result.status === 200, { timeoutMs: 20_000, what: `${key} to answer 200 after n1's restart` });
        expect(read.body.toString('utf8')).toBe('single');
      }
      for (const key of replicatedKeys) expect((await http(replicatedUrl(key))).body.toString('utf8')).toBe('after');
    });
  }, 120_000);

  it("reads a frozen node's N=3 keys from another replica within the hedge delay, before membership notices", async () => {
    const victim = cluster.region.storageNode('n2');
    // Keys n2 coordinates in the default keyspace (N=3, R=2): every read of them goes to n2 first.
    const keys = keysOf(victim.id, 'stalled/', 5, { keyspace: 'default' });
    const keyUrl = (key: string): string => `${gw}/v1/kv/default/${encodeURIComponent(key)}`;
    for (const key of keys) expectStatus(await http(keyUrl(key), { method: 'PUT', body: `value of ${key}` }), 204);

    await explainWithLogs(cluster.region.apps(), async () => {
      // Membership frozen too, so nobody marks n2 down: it stays in the ring, subscribed and silent, as a
      // node in a long pause or with a hung database does.
      cluster.region.membership.kill('SIGSTOP');
      victim.process.kill('SIGSTOP');
      try {
        for (const key of keys) {
          const begun = Date.now();
          const read = await http(keyUrl(key));
          expectStatus(read, 200);
          expect(read.body.toString('utf8')).toBe(`value of ${key}`);
          // The hedge delay (250 ms) and another replica's quorum read, not the RPC deadline (5 s).
          expect(Date.now() - begun).toBeLessThan(1_500);
        }
      } finally {
        victim.process.kill('SIGCONT');
        cluster.region.membership.kill('SIGCONT');
      }
    });
  }, 60_000);
});
