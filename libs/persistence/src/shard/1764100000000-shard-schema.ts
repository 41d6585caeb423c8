import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A storage node's shard. Keys and keyspaces use the "C" collation so that listing pages by plain byte
 * order and prefix scans can use the primary key's index.
 */
export class ShardSchema1764100000000 implements MigrationInterface {
  name = 'ShardSchema1764100000000';

  async up(runner: QueryRunner): Promise<void> {
    // One row per live version; siblings are several rows of one key. The version id is its dot.
    await runner.query(`
      CREATE TABLE versions (
        keyspace      text COLLATE "C" NOT NULL,
        key           text COLLATE "C" NOT NULL,
        dot_actor     text NOT NULL,
        dot_counter   bigint NOT NULL,
        context       jsonb NOT NULL,
        hlc_wall_ms   bigint NOT NULL,
        hlc_logical   integer NOT NULL,
        origin_region text NOT NULL,
        tombstone     boolean NOT NULL,
        value         bytea,
        content_type  text,
        expires_at    timestamptz,
        PRIMARY KEY (keyspace, key, dot_actor, dot_counter)
      )`);
    await runner.query(`CREATE INDEX versions_expiry ON versions (expires_at) WHERE expires_at IS NOT NULL`);

    // The replication log: one row per accepted write, inserted in the write's own statement. Ids grow
    // with insertion, but batches on disjoint keys commit concurrently, so a lower id can become visible
    // after a higher one. A tailer must read only rows whose transaction is older than every running one
    // (txid < pg_snapshot_xmin(pg_current_snapshot())), never just "id > cursor".
    await runner.query(`
      CREATE TABLE outbox (
        id            bigserial PRIMARY KEY,
        txid          xid8 NOT NULL DEFAULT pg_current_xact_id(),
        keyspace      text COLLATE "C" NOT NULL,
        key           text COLLATE "C" NOT NULL,
        dot_actor     text NOT NULL,
        dot_counter   bigint NOT NULL,
        context       jsonb NOT NULL,
        hlc_wall_ms   bigint NOT NULL,
        hlc_logical   integer NOT NULL,
        origin_region text NOT NULL,
        tombstone     boolean NOT NULL,
        value         bytea,
        content_type  text,
        expires_at    timestamptz,
        created_at    timestamptz NOT NULL DEFAULT now()
      )`);

    // Versions that lost a last-writer-wins resolution and keys queued for a manual resolution (both kept
    // for GEOKV_CONFLICT_RETENTION_SECONDS, an open manual conflict until it is resolved). Unique per dot so
    // that re-resolving the same versions records nothing twice.
    await runner.query(`
      CREATE TABLE conflicts (
        id              bigserial PRIMARY KEY,
        keyspace        text COLLATE "C" NOT NULL,
        key             text COLLATE "C" NOT NULL,
        dot_actor       text NOT NULL,
        dot_counter     bigint NOT NULL,
        context         jsonb NOT NULL,
        hlc_wall_ms     bigint NOT NULL,
        hlc_logical     integer NOT NULL,
        origin_region   text NOT NULL,
        tombstone       boolean NOT NULL,
        value           bytea,
        content_type    text,
        resolution      text NOT NULL CHECK (resolution IN ('lww', 'manual')),
        winner_actor    text,
        winner_counter  bigint,
        recorded_at     timestamptz NOT NULL DEFAULT now(),
        UNIQUE (keyspace, key, dot_actor, dot_counter)
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE conflicts');
    await runner.query('DROP TABLE outbox');
    await runner.query('DROP TABLE versions');
  }
}
