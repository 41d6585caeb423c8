import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Hinted handoff: a node that took a write for a down home replica keeps a hint naming that replica and
 * the key, in the same transaction as the version. `seq` changes on every new hint for the same key, so a
 * replay deletes only the hints it actually delivered.
 */
export class Hints1764300000000 implements MigrationInterface {
  name = 'Hints1764300000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE SEQUENCE hints_seq`);
    await runner.query(
      `CREATE TABLE hints (
         target_node text NOT NULL,
         keyspace text NOT NULL,
         key text COLLATE "C" NOT NULL,
         strategy text NOT NULL,
         seq bigint NOT NULL DEFAULT nextval('hints_seq'),
         created_at timestamptz NOT NULL DEFAULT now(),
         PRIMARY KEY (target_node, keyspace, key))`,
    );
    await runner.query(`CREATE INDEX hints_by_key ON hints (keyspace, key)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE hints');
    await runner.query('DROP SEQUENCE hints_seq');
  }
}
