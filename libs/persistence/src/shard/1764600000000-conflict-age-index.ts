import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Conflict records by age, for their retention (GEOKV_CONFLICT_RETENTION_SECONDS): the sweep reads the
 * oldest first and stops at the cutoff, instead of scanning a table that grows with every conflict.
 */
export class ConflictAgeIndex1764600000000 implements MigrationInterface {
  name = 'ConflictAgeIndex1764600000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE INDEX conflicts_recorded_at ON conflicts (recorded_at)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP INDEX conflicts_recorded_at');
  }
}
