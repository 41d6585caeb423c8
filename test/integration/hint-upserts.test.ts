import { Client } from 'pg';
import { Teardown } from '@geokv/test-support';
import { RECORD_HINTS } from '../../apps/storage-node/src/kv/shard-statements';
import { createMigratedShard } from '../support/migrated-shard';

/**
 * Hints for the same (replica, key) rows can be upserted by two statements at once (a group commit's and
 * RECORD_HINTS after a failed forward); rows locked in different orders would deadlock, and PostgreSQL
 * would abort one statement: a group commit, or the record of a write a replica missed.
 */
describe('hint upserts under concurrency (real PostgreSQL)', () => {
  const teardown = new Teardown();
  const clients: Client[] = [];

  beforeAll(async () => {
    const url = await createMigratedShard('hints', teardown);
    for (let i = 0; i < 2; i++) {
      const client = new Client({ connectionString: url });
      await client.connect();
      teardown.add('disconnect', () => client.end());
      clients.push(client);
    }
  }, 60_000);

  afterAll(() => teardown.run());

  it('never deadlocks when two statements name the same hints in opposite orders', async () => {
    // Enough rows that the two statements overlap: with 40 they mostly ran one after the other, and with
    // 500 the statements in arrival order deadlocked on the first round.
    const keys = Array.from({ length: 500 }, (_, i) => `hinted-${i}`);
    const recordHints = (client: Client, ordered: string[]) =>
      client.query({
        name: RECORD_HINTS.name,
        text: RECORD_HINTS.text,
        values: [ordered.map(() => 'n2'), ordered.map(() => 'ks'), ordered, ordered.map(() => 'lww')],
      });
    for (let round = 0; round < 25; round++) {
      await Promise.all([recordHints(clients[0], keys), recordHints(clients[1], [...keys].reverse())]);
    }
    const { rows } = await clients[0].query<{ pending: number }>(`SELECT count(*)::int AS pending FROM hints WHERE target_node = 'n2'`);
    expect(rows[0].pending).toBe(keys.length);
  });
});
