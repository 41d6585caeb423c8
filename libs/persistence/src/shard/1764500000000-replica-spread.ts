import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per keyspace, the replication factor this node's copies have been spread for. When a keyspace's
 * replicationFactor rises, the node sends its keys to the replicas they gain and only then records the new
 * factor here, so a restart in between resumes the work instead of forgetting it.
 */
export class ReplicaSpread1764500000000 implements MigrationInterface {
  name = 'ReplicaSpread1764500000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE replica_spread (
         keyspace text PRIMARY KEY,
         replicas integer NOT NULL,
         updated_at timestamptz NOT NULL DEFAULT now())`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE replica_spread');
  }
}
