import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A deleted keyspace's conflict records are purged by keyspace, on every expiry sweep while its deletion
 * stands: without an index, each sweep would read the whole table.
 */
export class ConflictsByKeyspace1764700000000 implements MigrationInterface {
  name = 'ConflictsByKeyspace1764700000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX conflicts_by_key ON conflicts (keyspace, key)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX conflicts_by_key');
  }
}
