import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Keyspace definitions replicate between regions as last-writer-wins registers: each definition carries
 * the time it was made (ms) and the region that made it, and a region adopts a definition only if that
 * pair is newer than its own. The seeded `default` starts at 0, so any explicit definition replaces it.
 */
export class KeyspaceOrigins1764200000001 implements MigrationInterface {
  name = 'KeyspaceOrigins1764200000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`ALTER TABLE keyspaces ADD COLUMN changed_at_ms bigint NOT NULL DEFAULT 0`);
    await runner.query(`ALTER TABLE keyspaces ADD COLUMN origin_region text NOT NULL DEFAULT ''`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('ALTER TABLE keyspaces DROP COLUMN origin_region');
    await runner.query('ALTER TABLE keyspaces DROP COLUMN changed_at_ms');
  }
}
