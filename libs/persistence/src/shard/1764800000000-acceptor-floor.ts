import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The node's acceptor floor: the highest ballot of any acceptor row garbage collection dropped (see
 * libs/caspaxos garbage-collection.ts). A key without a row is refused every ballot up to it, as its
 * dropped row would have refused them. One row at most; none until the first drop.
 */
export class AcceptorFloor1764800000000 implements MigrationInterface {
  name = 'AcceptorFloor1764800000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE acceptor_floor (
         id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
         counter bigint NOT NULL,
         proposer text COLLATE "C" NOT NULL)`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE acceptor_floor');
  }
}
