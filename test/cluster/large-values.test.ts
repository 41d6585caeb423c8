import { randomBytes } from 'node:crypto';
import { mapWithConcurrency } from '../support/concurrency';
import { expectApiError, expectStatus, http, jsonOf } from '../support/http';
import { ownerOf, ringOf } from '../support/shard-db';
import { explainWithLogs, startTestRegion, type TestRegion } from '../support/test-region';

/**
 * Values at the 1 MiB limit, many at once, all on ONE storage node. The gateway coalesces each node's
 * requests into one transport message; uncapped, 32 such values would make a ~45 MB message, past the
 * 32 MB at which Redis drops a pub/sub subscriber. This proves the messages stay deliverable and every
 * byte survives.
 */
describe('large values under concurrency', () => {
  let cluster: TestRegion;

  beforeAll(async () => {
    // The test is about messages that stay deliverable and bytes that survive, not about speed: a burst of
    // 32 MiB committed on one node (twice over, with its outbox rows) took past the default 5 s deadline
    // while CI ran the other suites beside it on the same two cores, and the last writes answered 503.
    const deadline = { GEOKV_RPC_TIMEOUT_MS: '20000' };
    cluster = await startTestRegion({ suite: 'large-values', appEnv: { gateway: deadline, 'storage-node': deadline } });
    const policy = JSON.stringify({ conflictResolution: 'siblings' });
    expectStatus(await http(`${cluster.gatewayUrl}/v1/keyspaces/carts`, { method: 'PUT', body: policy, headers: { 'content-type': 'application/json' } }), 200);
  }, 120_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('stores and serves 32 values of 1 MiB on one node, written and read concurrently, byte for byte', async () => {
    await explainWithLogs(cluster.region.apps(), async () => {
      const ring = await ringOf(cluster.gatewayUrl);
      const keys: string[] = [];
      for (let n = 0; keys.length < 32 && n < 10_000; n++) {
        if (ownerOf(ring, 'default', `large-${n}`) === 'n1') keys.push(`large-${n}`);
      }
      expect(keys).toHaveLength(32);
      const values = keys.map(() => randomBytes(1_048_576));
      const writes = await mapWithConcurrency(values, 32, (value, i) =>
        http(`${cluster.gatewayUrl}/v1/kv/default/${keys[i]}`, { method: 'PUT', body: value, timeoutMs: 30_000 }),
      );
      writes.forEach((result) => expectStatus(result, 204));

      const reads = await mapWithConcurrency([...values, ...values], 64, (_value, i) =>
        http(`${cluster.gatewayUrl}/v1/kv/default/${keys[i % keys.length]}`, { timeoutMs: 30_000 }),
      );
      reads.forEach((result, i) => {
        expectStatus(result, 200);
        expect(result.body.equals(values[i % values.length])).toBe(true);
      });
    });
  }, 120_000);

  it('keeps 8 MiB of siblings on one key (GEOKV_MAX_KEY_BYTES), refuses the writes past it with 409, and serves what it keeps', async () => {
    await explainWithLogs(cluster.region.apps(), async () => {
      const url = `${cluster.gatewayUrl}/v1/kv/carts/big-siblings`;
      const base = await http(url, { method: 'PUT', body: 'base' });
      expectStatus(base, 204);
      const stale = { 'x-causal-context': base.headers.get('x-causal-context')! };
      const values = Array.from({ length: 10 }, () => randomBytes(1_048_576));
      const writes = await mapWithConcurrency(values, 10, (value) => http(url, { method: 'PUT', body: value, headers: stale, timeoutMs: 30_000 }));

      const acknowledged = values.filter((_, i) => writes[i].status === 204);
      expect(acknowledged).toHaveLength(8);
      writes.filter((result) => result.status !== 204).forEach((result) => expectApiError(result, 409, 'TOO_MANY_SIBLINGS'));

      const read = await http(url, { timeoutMs: 30_000 });
      expectStatus(read, 300);
      const served = (jsonOf(read) as { siblings: { value: string; encoding: string }[] }).siblings.map((sibling) => {
        expect(sibling.encoding).toBe('base64');
        return Buffer.from(sibling.value, 'base64').toString('hex');
      });
      expect(served.sort()).toEqual(acknowledged.map((value) => value.toString('hex')).sort());

      const merged = randomBytes(1_048_576);
      expectStatus(await http(url, { method: 'PUT', body: merged, headers: { 'x-causal-context': read.headers.get('x-causal-context')! }, timeoutMs: 30_000 }), 204);
      const after = await http(url, { timeoutMs: 30_000 });
      expectStatus(after, 200);
      expect(after.body.equals(merged)).toBe(true);
    });
  }, 120_000);
});
