import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Replication to peer regions. A peer's cursor is the (txid, id) of the last outbox row it has applied.
 * Ordering by (txid, id) rather than id alone is what makes the cursor safe: rows only become readable
 * once their transaction id is below the oldest running transaction, and every row that is not yet
 * visible has a larger txid than any row that is, so a cursor can never pass a row that commits later.
 */
export class ReplicationCursors1764200000000 implements MigrationInterface {
  name = 'ReplicationCursors1764200000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX outbox_order ON outbox (txid, id)`);
    await runner.query(`
      CREATE TABLE replication_cursors (
        peer        text PRIMARY KEY,
        acked_txid  xid8 NOT NULL,
        acked_id    bigint NOT NULL,
        acked_at    timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE replication_cursors');
    await runner.query('DROP INDEX outbox_order');
  }
}
