import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A deleted keyspace keeps its row as a tombstone: the deletion replicates to the other regions like any
 * definition (and beats every one of them, whatever its time), every storage node purges the keyspace's
 * data while the tombstone says so, and the name is never reused, so data still on its way cannot come
 * back under a new keyspace of the same name.
 */
export class KeyspaceDeletion1764700000001 implements MigrationInterface {
  name = 'KeyspaceDeletion1764700000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE keyspaces ADD COLUMN deleted boolean NOT NULL DEFAULT false`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE keyspaces DROP COLUMN deleted');
  }
}
