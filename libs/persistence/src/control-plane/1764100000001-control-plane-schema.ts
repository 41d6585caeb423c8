import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Membership's database: the node registry, the ring epoch and the keyspace catalog of one region. */
export class ControlPlaneSchema1764100000001 implements MigrationInterface {
  name = 'ControlPlaneSchema1764100000001';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(`
      CREATE TABLE nodes (
        id             text PRIMARY KEY,
        http_url       text NOT NULL,
        status         text NOT NULL CHECK (status IN ('up', 'down')),
        joined_at      timestamptz NOT NULL DEFAULT now(),
        last_heartbeat timestamptz NOT NULL DEFAULT now()
      )`);
    // A single row, so that the epoch stays monotonic across restarts of membership.
    await runner.query(`
      CREATE TABLE ring_state (
        id    smallint PRIMARY KEY CHECK (id = 1),
        epoch bigint NOT NULL
      )`);
    await runner.query(`INSERT INTO ring_state (id, epoch) VALUES (1, 0)`);

    await runner.query(`CREATE SEQUENCE catalog_version`);
    await runner.query(`
      CREATE TABLE keyspaces (
        name                text PRIMARY KEY,
        consistency         text NOT NULL CHECK (consistency IN ('eventual', 'strong')),
        conflict_resolution text NOT NULL CHECK (conflict_resolution IN ('lww', 'siblings', 'manual')),
        default_ttl_seconds integer CHECK (default_ttl_seconds > 0),
        replication_factor  integer NOT NULL CHECK (replication_factor > 0),
        read_quorum         integer NOT NULL CHECK (read_quorum > 0),
        write_quorum        integer NOT NULL CHECK (write_quorum > 0),
        version             bigint NOT NULL DEFAULT nextval('catalog_version'),
        updated_at          timestamptz NOT NULL DEFAULT now()
      )`);
    await runner.query(`
      INSERT INTO keyspaces (name, consistency, conflict_resolution, replication_factor, read_quorum, write_quorum)
      VALUES ('default', 'eventual', 'lww', 1, 1, 1)`);
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE keyspaces');
    await runner.query('DROP SEQUENCE catalog_version');
    await runner.query('DROP TABLE ring_state');
    await runner.query('DROP TABLE nodes');
  }
}
