import { Client } from 'pg';
import { Teardown } from '@geokv/test-support';
import { DELETE_HINTS, RECORD_HINTS } from '../../apps/storage-node/src/kv/shard-statements';
import { createMigratedShard } from '../support/migrated-database';

/**
 * Hints for the same (replica, key) rows can be written by several statements at once: a group commit's
 * upsert, RECORD_HINTS after a failed forward, and DELETE_HINTS once the replay delivered them. Rows locked
 * in different orders would deadlock, and PostgreSQL would abort one statement: a group commit, the record
 * of a write a replica missed, or a replay's cleanup.
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

  // Enough rows that two statements overlap: with 40 they mostly ran one after the other, and with 500
  // the statements in arrival order deadlocked on the first round.
  const keys = Array.from({ length: 500 }, (_, i) => `hinted-${i}`);
  const recordHints = (client: Client, ordered: string[]) =>
    client.query({
      name: RECORD_HINTS.name,
      text: RECORD_HINTS.text,
      values: [ordered.map(() => 'n2'), ordered.map(() => 'ks'), ordered, ordered.map(() => 'lww')],
    });

  it('never deadlocks when two statements name the same hints in opposite orders', async () => {
    for (let round = 0; round < 25; round++) {
      await Promise.all([recordHints(clients[0], keys), recordHints(clients[1], [...keys].reverse())]);
    }
    const { rows } = await clients[0].query<{ pending: number }>(`SELECT count(*)::int AS pending FROM hints WHERE target_node = 'n2'`);
    expect(rows[0].pending).toBe(keys.length);
  });

  it('never deadlocks when delivered hints are deleted while the same hints are renewed', async () => {
    for (let round = 0; round < 25; round++) {
      // Rows stored in the reverse of key order, as hints recorded one by one over time may be.
      await clients[0].query('DELETE FROM hints');
      await clients[0].query(
        `INSERT INTO hints (target_node, keyspace, key, strategy) SELECT 'n2', 'ks', key, 'lww' FROM unnest($1::text[]) AS k(key) ORDER BY key DESC`,
        [keys],
      );
      const { rows } = await clients[0].query<{ key: string; seq: string }>(`SELECT key, seq::text AS seq FROM hints WHERE target_node = 'n2'`);
      await Promise.all([
        clients[0].query({
          name: DELETE_HINTS.name,
          text: DELETE_HINTS.text,
          values: [rows.map(() => 'n2'), rows.map(() => 'ks'), rows.map((row) => row.key), rows.map((row) => row.seq)],
        }),
        recordHints(clients[1], keys),
      ]);
      // Each hint was either deleted and then recorded again, or renewed first and so kept by the delete.
      const { rows: pending } = await clients[0].query<{ count: number }>(`SELECT count(*)::int AS count FROM hints WHERE target_node = 'n2'`);
      expect(pending[0].count).toBe(keys.length);
    }
  });
});
