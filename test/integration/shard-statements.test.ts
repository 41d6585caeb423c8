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
  PURGE_EXPIRED,
  PURGE_TOMBSTONES,
  READ_OUTBOX,
  READ_OUTBOX_AFTER,
  TRIM_OUTBOX,
  SHARD_SESSION_SETTINGS,
  type ShardStatement, RECORD_HINTS, READ_HINTS, DELETE_HINTS, COUNT_HINTS, PAGE_KEYS, DROP_KEYS
} from '../../apps/storage-node/src/kv/shard-statements';
import { ACCEPT_BATCH, PREPARE_BATCH } from '../../apps/storage-node/src/acceptor/acceptor-statements';
import { createMigratedShard } from '../support/migrated-shard';

const EXPECTED_PLANS: [ShardStatement, RegExp[]][] = [
  [LOAD_VERSIONS, [/Nested Loop/, /Index Scan using versions_pkey on versions/]],
  [COMMIT_BATCH, [/Nested Loop/, /Index Scan using versions_pkey on versions/, /Tid Scan on versions/]],
  [LIST_KEYS, [/Index (Only )?Scan using versions_pkey on versions/]],
  [PURGE_EXPIRED, [/Index Scan on versions_expiry/, /Tid Scan on versions/]],
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
  [PREPARE_BATCH, [/Conflict Arbiter Indexes: acceptor_state_pkey/, /Index Scan using acceptor_state_pkey on acceptor_state/]],
  [ACCEPT_BATCH, [/Conflict Arbiter Indexes: acceptor_state_pkey/, /Index Scan using acceptor_state_pkey on acceptor_state/]],
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
