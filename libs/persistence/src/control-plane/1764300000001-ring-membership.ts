import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * In-region replication: a node is a ring `member` or a `standby` that an operator can join; the rebalance
 * in progress survives a restart of membership. The `default` keyspace gets three replicas with majority
 * quorums (capped by the number of nodes in a region, so a one-node region still works).
 */
export class RingMembership1764300000001 implements MigrationInterface {
  name = 'RingMembership1764300000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE nodes ADD COLUMN role text NOT NULL DEFAULT 'member' CHECK (role IN ('member', 'standby'))`);
    await runner.query(`ALTER TABLE ring_state ADD COLUMN rebalance jsonb, ADD COLUMN last_rebalance_id bigint`);
    await runner.query(
      `UPDATE keyspaces SET replication_factor = 3, read_quorum = 2, write_quorum = 2, version = nextval('catalog_version')
        WHERE name = 'default' AND replication_factor = 1`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE ring_state DROP COLUMN rebalance, DROP COLUMN last_rebalance_id`);
    await runner.query(`ALTER TABLE nodes DROP COLUMN role`);
  }
}
