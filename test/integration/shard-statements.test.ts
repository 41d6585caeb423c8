import { Client } from 'pg';
import { Teardown } from '@geokv/test-support';
import {
  ACK_AND_READ_OUTBOX_AFTER,
  ACK_OUTBOX,
  COMMIT_BATCH,
  LIST_KEYS,
  LOAD_VERSIONS,
  OPEN_MANUAL_CONFLICTS,
  OUTBOX_BACKLOG,
  OUTBOX_BACKLOG_AFTER,
  PURGE_DELETED_KEYSPACES,
  PURGE_EXPIRED,
  PURGE_TOMBSTONES,
  READ_OUTBOX,
  READ_OUTBOX_AFTER,
  TRIM_OUTBOX,
  SHARD_SESSION_SETTINGS,
  type ShardStatement, RECORD_HINTS, READ_HINTS, DELETE_HINTS, COUNT_HINTS, PAGE_KEYS, DROP_KEYS
} from '../../apps/storage-node/src/kv/shard-statements';
import {
  ACCEPT_BATCH,
  ACCEPTOR_COLLECTION_SCAN,
  ACCEPTOR_FLOOR,
  ACCEPTOR_KEYSPACE_KEYS,
  COLLECT_ACCEPTOR_ROWS,
  PREPARE_BATCH,
  RAISE_ACCEPTOR_FLOOR,
} from '../../apps/storage-node/src/acceptor/acceptor-statements';
import { createMigratedShard } from '../support/migrated-database';

const EXPECTED_PLANS: [ShardStatement, RegExp[]][] = [
  [LOAD_VERSIONS, [/Nested Loop/, /Index Scan using versions_pkey on versions/]],
  [COMMIT_BATCH, [/Nested Loop/, /Index Scan using versions_pkey on versions/, /Tid Scan on versions/]],
  [LIST_KEYS, [/Index (Only )?Scan using versions_pkey on versions/]],
  [PURGE_EXPIRED, [/Index Scan on versions_expiry/, /Tid Scan on versions/]],
  [
    PURGE_DELETED_KEYSPACES,
    [
      /Index (Only )?Scan (using|on) versions_pkey/,
      /Index (Only )?Scan (using|on) conflicts_by_key/,
      /Index (Only )?Scan (using|on) hints_by_key/,
      /Index (Only )?Scan (using|on) acceptor_state_pkey/,
      /Index (Only )?Scan (using|on) replica_spread_pkey/,
    ],
  ],
  [READ_OUTBOX, [/Index Scan using outbox_order on outbox/]],
  [READ_OUTBOX_AFTER, [/Index Scan using outbox_order on outbox/]],
  [OUTBOX_BACKLOG, [/Index (Only )?Scan (using|on) outbox_order/]],
  [OUTBOX_BACKLOG_AFTER, [/Index (Only )?Scan (using|on) outbox_order/]],
  [ACK_OUTBOX, [/Conflict Arbiter Indexes: replication_cursors_pkey/]],
  [ACK_AND_READ_OUTBOX_AFTER, [/Conflict Arbiter Indexes: replication_cursors_pkey/, /Index Scan using outbox_order on outbox/]],
  [TRIM_OUTBOX, [/Index (Only )?Scan (using|on) outbox_order/, /Tid Scan on outbox/]],
  [OPEN_MANUAL_CONFLICTS, [/Index (Only )?Scan using versions_pkey on versions/]],
  [PURGE_TOMBSTONES, [/Index Scan on versions_tombstones|Index Scan using versions_tombstones/, /Tid Scan on versions/]],
  [RECORD_HINTS, [/Conflict Arbiter Indexes: hints_pkey/]],
  [READ_HINTS, [/Index Scan using hints_pkey on hints|Index Scan on hints_pkey/]],
  [DELETE_HINTS, [/Index Scan using (hints_pkey|hints_by_key) on hints/, /Tid Scan on hints/]],
  [COUNT_HINTS, [/Index (Only )?Scan using hints_pkey on hints/]],
  [PAGE_KEYS, [/Index (Only )?Scan using versions_pkey on versions/]],
  [DROP_KEYS, [/Index Scan using versions_pkey on versions/, /Tid Scan on versions/]],
  [PREPARE_BATCH, [/Conflict Arbiter Indexes: acceptor_state_pkey/, /Index Scan using acceptor_state_pkey on acceptor_state/, /Index Scan using acceptor_floor_pkey/]],
  [ACCEPT_BATCH, [/Conflict Arbiter Indexes: acceptor_state_pkey/, /Index Scan using acceptor_state_pkey on acceptor_state/, /Index Scan using acceptor_floor_pkey/]],
  [ACCEPTOR_KEYSPACE_KEYS, [/Index (Only )?Scan using acceptor_state_pkey on acceptor_state/]],
  [COLLECT_ACCEPTOR_ROWS, [/Index Scan using acceptor_state_pkey on acceptor_state/, /Conflict Arbiter Indexes: acceptor_floor_pkey/]],
  [ACCEPTOR_COLLECTION_SCAN, [/Index Scan using acceptor_state_pkey on acceptor_state/]],
  [RAISE_ACCEPTOR_FLOOR, [/Conflict Arbiter Indexes: acceptor_floor_pkey/]],
  [ACCEPTOR_FLOOR, [/Index Scan using acceptor_floor_pkey on acceptor_floor/]],
];

/**
 * A shard's connections plan each statement once and keep the plan (SHARD_SESSION_SETTINGS). The worst
 * moment to make that plan is on a fresh, never-analysed shard, where the planner believes every table is
 * tiny; these plans must still be per-key index lookups, or each write would scan the whole table once the
 * shard grows.
 */
describe('shard statements on a fresh shard (real PostgreSQL)', () => {
  const teardown = new Teardown();
  let client: Client;

  beforeAll(async () => {
    const url = await createMigratedShard('plans', teardown);
    const options = Object.entries(SHARD_SESSION_SETTINGS).map(([setting, value]) => `-c ${setting}=${value}`).join(' ');
    client = new Client({ connectionString: url, options });
    await client.connect();
    teardown.add('disconnect', () => client.end());
  });

  afterAll(() => teardown.run());

  async function planOf(statement: ShardStatement): Promise<string> {
    const parameters = Math.max(0, ...[...statement.text.matchAll(/\$(\d+)/g)].map((match) => Number(match[1])));
    await client.query(`PREPARE ${statement.name} AS ${statement.text}`);
    const nulls = Array.from({ length: parameters }, () => 'NULL').join(', ');
    const rows = await client.query<{ 'QUERY PLAN': string }>(`EXPLAIN EXECUTE ${statement.name}${parameters > 0 ? `(${nulls})` : ''}`);
    return rows.rows.map((row) => row['QUERY PLAN']).join('\n');
  }

  const cases = EXPECTED_PLANS.map(([statement, expected]) => [statement.name, statement, expected] as const);

  it.each(cases)('%s is planned as index lookups, never a scan of a table', async (_name, statement, expected) => {
    const plan = await planOf(statement);
    expect(plan).not.toMatch(/Seq Scan/);
    for (const pattern of expected) expect(plan).toMatch(pattern);
  });
});

/**
 * A cursor only says where a peer's stream starts again, so its moves commit without waiting for the WAL
 * flush that every acknowledged write waits on. That must stay confined to their own transactions: the
 * group commits that follow on the same pooled connection must wait for their flush as before.
 */
describe('cursor moves (real PostgreSQL)', () => {
  const teardown = new Teardown();
  const MOVES = 200;
  let client: Client;
  let txid = 1_000;

  beforeAll(async () => {
    client = new Client({ connectionString: await createMigratedShard('cursors', teardown) });
    await client.connect();
    teardown.add('disconnect', () => client.end());
  });

  afterAll(() => teardown.run());

  /** WAL flushes of the whole server so far, with this session's own counts reported first. */
  async function walSyncs(): Promise<number> {
    await client.query('SELECT pg_stat_force_next_flush()');
    await client.query('SELECT 1');
    const { rows } = await client.query<{ syncs: string }>('SELECT wal_sync::text AS syncs FROM pg_stat_wal');
    return Number(rows[0].syncs);
  }

  async function cursorOf(peer: string): Promise<string | undefined> {
    const { rows } = await client.query<{ txid: string }>('SELECT acked_txid::text AS txid FROM replication_cursors WHERE peer = $1', [peer]);
    return rows[0]?.txid;
  }

  async function synchronousCommit(): Promise<string> {
    const { rows } = await client.query<{ synchronous_commit: string }>('SHOW synchronous_commit');
    return rows[0].synchronous_commit;
  }

  it('counts the WAL flushes of ordinary commits (the measure the cursor moves are held to)', async () => {
    const before = await walSyncs();
    for (let i = 0; i < MOVES; i++) {
      await client.query('INSERT INTO replication_cursors (peer, acked_txid, acked_id) VALUES ($1, $2::xid8, 1) ON CONFLICT (peer) DO UPDATE SET acked_txid = excluded.acked_txid', ['peer-plain', String((txid += 1))]);
    }
    // One each, give or take a flush the WAL writer made first and reports later.
    expect((await walSyncs()) - before).toBeGreaterThanOrEqual(MOVES * 0.9);
  });

  it.each([
    ['ack_outbox', (peer: string, position: string) => client.query({ name: ACK_OUTBOX.name, text: ACK_OUTBOX.text, values: [peer, position, 1] })],
    [
      'ack_and_read_outbox_after',
      (peer: string, position: string) =>
        client.query({ name: ACK_AND_READ_OUTBOX_AFTER.name, text: ACK_AND_READ_OUTBOX_AFTER.text, values: [peer, position, 1, '0', 0, 10] }),
    ],
  ])('%s moves the cursor without waiting for a WAL flush, and leaves later commits waiting for theirs', async (name, move) => {
    const peer = `peer-${name}`;
    const before = await walSyncs();
    for (let i = 0; i < MOVES; i++) await move(peer, String((txid += 1)));
    const flushes = (await walSyncs()) - before;

    expect(await cursorOf(peer)).toBe(String(txid));
    // Each move waiting for its flush would make MOVES of them; the WAL writer flushes the lot every 200 ms.
    expect(flushes).toBeLessThan(MOVES / 4);
    expect(await synchronousCommit()).toBe('on');
  });

  it('a cursor never moves backwards', async () => {
    await client.query({ name: ACK_OUTBOX.name, text: ACK_OUTBOX.text, values: ['peer-late', '500', 7] });
    const { rows } = await client.query<{ moved: number }>({ name: ACK_OUTBOX.name, text: ACK_OUTBOX.text, values: ['peer-late', '499', 9] });
    expect(rows[0].moved).toBe(0);
    expect(await cursorOf('peer-late')).toBe('500');
  });
});
