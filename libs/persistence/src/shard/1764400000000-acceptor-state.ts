import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * CASPaxos acceptor state of strong keys, on the key's primary storage node in each region. A ballot is
 * (counter, proposer); `promised_*` is the highest ballot promised or accepted, `accepted_*` the ballot of
 * the last accepted value (null: never accepted). A delete is accepted as a tombstone, which keeps the ids
 * of the operations that changed the key (recent_ops) like any value. Proposer ids compare byte-wise
 * (COLLATE "C"), as the proposers compare them.
 */
export class AcceptorState1764400000000 implements MigrationInterface {
  name = 'AcceptorState1764400000000';

  async up(runner: QueryRunner): Promise<void> {
    await runner.query(
      `CREATE TABLE acceptor_state (
         keyspace text NOT NULL,
         key text COLLATE "C" NOT NULL,
         promised_counter bigint NOT NULL,
         promised_proposer text COLLATE "C" NOT NULL,
         accepted_counter bigint,
         accepted_proposer text COLLATE "C",
         value bytea,
         content_type text,
         etag text,
         last_modified_ms bigint,
         expires_at_ms bigint,
         origin_region text,
         tombstone boolean,
         version bigint,
         recent_ops text[],
         PRIMARY KEY (keyspace, key),
         CHECK ((accepted_counter IS NULL) = (accepted_proposer IS NULL)),
         CHECK ((value IS NULL) = (etag IS NULL)))`,
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE acceptor_state');
  }
}
