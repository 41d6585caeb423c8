import { pollUntil } from '../support/http';
import { startLoneStorageNode, type LoneStorageNode } from '../support/lone-storage-node';
import { query } from '../support/shard-db';
import { explainWithLogs } from '../support/test-region';

/**
 * A storage node reclaims what it no longer needs (expired versions, old tombstones, outbox rows every
 * peer has, conflict records past their retention) as fast as it is made: each run deletes in short slices until nothing is left, where one slice
 * per run capped the rate (1,000 expired versions every 30 s, 5,000 outbox rows and 1,000 tombstones every
 * 10 s), below what one node writes. The rows are made in SQL, many at once, as a busy node makes them.
 */
describe('reclaiming space on a storage node (PostgreSQL + Redis transport)', () => {
  let lone: LoneStorageNode;

  beforeAll(async () => {
    lone = await startLoneStorageNode({
      suite: 'reclaiming-it',
      nodeEnv: { GEOKV_EXPIRY_SWEEP_INTERVAL_MS: '1000', GEOKV_CONFLICT_RETENTION_SECONDS: '3600' },
    });
  }, 90_000);

  afterAll(async () => {
    await lone?.stop();
  }, 60_000);

  const sql = <T extends Record<string, unknown>>(text: string, params: unknown[] = []): Promise<T[]> => query<T>(lone.shardUrl, text, params);
  const count = async (text: string, params: unknown[] = []): Promise<number> => Number((await sql<{ n: string }>(text, params))[0].n);

  /** `rows` versions of keys `${prefix}0…`, written long ago; `expired` makes them past their TTL, `tombstone` deletes. */
  const insertVersions = (prefix: string, rows: number, kind: 'expired' | 'tombstone') =>
    sql(
      `INSERT INTO versions (keyspace, key, dot_actor, dot_counter, context, hlc_wall_ms, hlc_logical, origin_region, tombstone, value, content_type, expires_at)
       SELECT 'default', $1 || g, 'us-east/n1', 1, '{"us-east/n1": 1}', 1, 0, 'us-east', $2, CASE WHEN $2 THEN NULL ELSE '\\x00'::bytea END,
              CASE WHEN $2 THEN NULL ELSE 'text/plain' END, CASE WHEN $2 THEN NULL ELSE now() - interval '1 hour' END
         FROM generate_series(1, $3::int) g`,
      [prefix, kind === 'tombstone', rows],
    );
  const insertOutboxRows = (prefix: string, rows: number) =>
    sql(
      `INSERT INTO outbox (keyspace, key, dot_actor, dot_counter, context, hlc_wall_ms, hlc_logical, origin_region, tombstone, value, content_type)
       SELECT 'default', $1 || g, 'us-east/n1', 1, '{"us-east/n1": 1}', 1, 0, 'us-east', false, '\\x00'::bytea, 'text/plain'
         FROM generate_series(1, $2::int) g`,
      [prefix, rows],
    );

  /** `rows` conflict records of keys `${prefix}0…`, made `ageSeconds` ago; the version each names is not stored. */
  const insertConflicts = (prefix: string, rows: number, resolution: 'lww' | 'manual', ageSeconds: number) =>
    sql(
      `INSERT INTO conflicts (keyspace, key, dot_actor, dot_counter, context, hlc_wall_ms, hlc_logical, origin_region, tombstone, value,
                              content_type, resolution, winner_actor, winner_counter, recorded_at)
       SELECT 'default', $1 || g, 'eu-west/n1', 1, '{"eu-west/n1": 1}', 1, 0, 'eu-west', false, '\\x00'::bytea, 'text/plain', $2,
              CASE WHEN $2 = 'lww' THEN 'us-east/n1' END, CASE WHEN $2 = 'lww' THEN 1 END, now() - $3::int * interval '1 second'
         FROM generate_series(1, $4::int) g`,
      [prefix, resolution, ageSeconds, rows],
    );

  it('purges 20,000 expired versions in a few sweeps, not twenty (1,000 a sweep)', async () => {
    await explainWithLogs([lone.membership, lone.node], async () => {
      await insertVersions('expired/', 20_000, 'expired');
      // One slice a sweep (every second here) needed twenty sweeps; this allows eight.
      await pollUntil(
        () => count(`SELECT count(*) AS n FROM versions WHERE key LIKE 'expired/%'`),
        (left) => left === 0,
        { timeoutMs: 8_000, intervalMs: 250, what: 'the expiry sweeper to purge every expired version' },
      );
    });
  }, 30_000);

  it('drops conflict records past their retention, but never an open manual conflict', async () => {
    await insertConflicts('lost-old/', 2_500, 'lww', 7_200);
    await insertConflicts('lost-new/', 10, 'lww', 60);
    await insertConflicts('resolved-old/', 10, 'manual', 7_200);
    // Still open: the queued version is stored, so the key waits for an operator however long it takes.
    await insertConflicts('open-old/', 10, 'manual', 7_200);
    await sql(
      `INSERT INTO versions (keyspace, key, dot_actor, dot_counter, context, hlc_wall_ms, hlc_logical, origin_region, tombstone, value, content_type)
       SELECT keyspace, key, dot_actor, dot_counter, context, hlc_wall_ms, hlc_logical, origin_region, tombstone, value, content_type
         FROM conflicts WHERE key LIKE 'open-old/%'`,
    );
    const retained = (prefix: string) => count(`SELECT count(*) AS n FROM conflicts WHERE key LIKE $1`, [`${prefix}%`]);

    await explainWithLogs([lone.membership, lone.node], async () => {
      await pollUntil(
        async () => (await retained('lost-old/')) + (await retained('resolved-old/')),
        (left) => left === 0,
        { timeoutMs: 8_000, intervalMs: 250, what: 'the sweeper to drop every conflict record past its retention' },
      );
    });
    expect(await retained('lost-new/')).toBe(10);
    expect(await retained('open-old/')).toBe(10);
    const openConflicts = await lone.rpc.openConflicts(lone.nodeId, { requestId: 'it-open-conflicts', limit: 100 });
    expect(openConflicts.conflicts.map((c) => c.key).sort()).toEqual(Array.from({ length: 10 }, (_, i) => `open-old/${i + 1}`).sort());
  }, 30_000);

  it("trims every outbox row the peers have acknowledged and purges every old tombstone in one collection", async () => {
    await insertOutboxRows('acked/', 12_000);
    await sql(
      `INSERT INTO replication_cursors (peer, acked_txid, acked_id) SELECT 'eu-west', max(txid), max(id) FROM outbox
       ON CONFLICT (peer) DO UPDATE SET acked_txid = excluded.acked_txid, acked_id = excluded.acked_id`,
    );
    await insertOutboxRows('unacked/', 10);
    await insertVersions('deleted/', 3_000, 'tombstone');

    const result = await lone.rpc.collectGarbage(lone.nodeId, { requestId: 'it-gc', peers: ['eu-west'], tombstoneGraceMs: 60_000 });

    expect(result).toEqual({ outboxTrimmed: 12_000, tombstonesPurged: 3_000 });
    expect(await count(`SELECT count(*) AS n FROM outbox WHERE key LIKE 'acked/%'`)).toBe(0);
    // Rows the peer has not acknowledged stay for it.
    expect(await count(`SELECT count(*) AS n FROM outbox WHERE key LIKE 'unacked/%'`)).toBe(10);
    expect(await count(`SELECT count(*) AS n FROM versions WHERE key LIKE 'deleted/%'`)).toBe(0);
  }, 30_000);

  it('trims the whole outbox in a region with no peers, where nobody will read it', async () => {
    await insertOutboxRows('lonely/', 7_000);
    const result = await lone.rpc.collectGarbage(lone.nodeId, { requestId: 'it-gc-alone', peers: [], tombstoneGraceMs: 60_000 });
    expect(result.outboxTrimmed).toBeGreaterThanOrEqual(7_000);
    expect(await count(`SELECT count(*) AS n FROM outbox`)).toBe(0);
  }, 30_000);
});
