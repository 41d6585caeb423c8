import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tombstones by age, for their garbage collection; partial, so live writes never pay for it. */
export class TombstoneIndex1764200000002 implements MigrationInterface {
  name = 'TombstoneIndex1764200000002';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`CREATE INDEX versions_tombstones ON versions (hlc_wall_ms) WHERE tombstone`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX versions_tombstones');
  }
}
