import { randomBytes } from 'node:crypto';
import { mapWithConcurrency } from '../support/concurrency';
import { expectStatus, http } from '../support/http';
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
});
