import { packedValue } from '../kv/packed-values';
import type { ShardStatement } from '../kv/shard-statements';

/*
 * The CASPaxos acceptor rules (libs/caspaxos acceptor.ts) as guarded upserts: the WHERE of `ON CONFLICT
 * DO UPDATE` is the rule, so a retried, duplicated or reordered message can never move a key's ballots
 * backwards, and each batch is one statement (one transaction, one round trip). `promised_*` is kept at or
 * above `accepted_*` (an accept raises both), so the promise alone is the ballot a newcomer must beat.
 *
 * A key may appear only once per statement (PostgreSQL refuses to update a row twice in one command);
 * AcceptorStore splits a batch that names a key twice.
 *
 * Each statement upserts its keys in (keyspace, key) order, whatever order they arrived in: batches from
 * different proposers that share keys run concurrently, and two that locked the same rows in different
 * orders deadlocked, and PostgreSQL aborted one of them after a second.
 *
 * STATE_BEFORE reads, once per input key and in the input CTE, the key's promise as the statement found
 * it (for a refused key, its state: the upsert left it alone) and the node's floor. The upsert lets a key
 * through if it has a row or its ballot passes the floor, and a refusal names the promise, or the floor for a
 * key without a row.
 *
 * A key without a row answers as libs/caspaxos absentState does: promised to the node's floor (the highest
 * ballot garbage collection dropped, table acceptor_floor), so a prepare must beat the floor and an accept
 * reach it before a new row is made. Whether the row exists is read from the statement's snapshot, which a
 * collection committing meanwhile would make wrong, so AcceptorStore never runs a collection beside these.
 */

/**
 * Each input key's promise before the statement (`before_*`, null without a row) and the floor (`floor_*`,
 * null without one), for an input aliased `i`. Both lookups by primary key: a scan here would also make the
 * plan's cost cross the JIT's threshold (sequential scans are ruled out by SHARD_SESSION_SETTINGS, at a
 * cost), and compiling it took 400 ms a statement.
 */
const STATE_BEFORE = `LEFT JOIN LATERAL (
       SELECT promised_counter, promised_proposer FROM acceptor_state WHERE keyspace = i.keyspace AND key = i.key OFFSET 0
     ) c ON true
     LEFT JOIN acceptor_floor f ON f.id = 1`;
const STATE_BEFORE_COLUMNS = `c.promised_counter AS before_counter, c.promised_proposer AS before_proposer, f.counter AS floor_counter, f.proposer AS floor_proposer`;

/** The input keys that may be upserted: those with a row, and the others whose ballot passes the floor (`comparison`). */
const PAST_THE_FLOOR = (comparison: '>' | '>='): string =>
  `WHERE i.before_counter IS NOT NULL OR i.floor_counter IS NULL OR (i.counter, i.proposer) ${comparison} (i.floor_counter, i.floor_proposer)`;

/** The ballot that beat a refused key's: its row's promise, or the floor for a key without one. */
const CONFLICT = `COALESCE(i.before_counter, i.floor_counter) AS conflict_counter, COALESCE(i.before_proposer, i.floor_proposer) AS conflict_proposer`;

/** Phase 1 for ($1 keyspaces, $2 keys, $3 ballot counters, $4 ballot proposers), answered in input order. */
export const PREPARE_BATCH: ShardStatement = {
  name: 'acceptor_prepare',
  text: `WITH input AS (
     SELECT i.*, ${STATE_BEFORE_COLUMNS}
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) WITH ORDINALITY AS i(keyspace, key, counter, proposer, n)
       ${STATE_BEFORE}
   ), promised AS (
     INSERT INTO acceptor_state AS a (keyspace, key, promised_counter, promised_proposer)
     SELECT i.keyspace, i.key, i.counter, i.proposer FROM input i
       ${PAST_THE_FLOOR('>')}
      ORDER BY i.keyspace, i.key
     ON CONFLICT (keyspace, key) DO UPDATE
        SET promised_counter = excluded.promised_counter, promised_proposer = excluded.promised_proposer
      WHERE (a.promised_counter, a.promised_proposer) < (excluded.promised_counter, excluded.promised_proposer)
     RETURNING a.keyspace, a.key, a.accepted_counter, a.accepted_proposer, a.value, a.content_type, a.etag,
               a.last_modified_ms, a.expires_at_ms, a.origin_region, a.tombstone, a.version, a.recent_ops
   )
   SELECT i.n, p.key IS NOT NULL AS ok, p.accepted_counter, p.accepted_proposer, p.value, p.content_type, p.etag,
          p.last_modified_ms, p.expires_at_ms, p.origin_region, p.tombstone, p.version, p.recent_ops, ${CONFLICT}
     FROM input i
     LEFT JOIN promised p ON p.keyspace = i.keyspace AND p.key = i.key
    ORDER BY i.n`,
};

/**
 * Phase 2 for ($1 keyspaces, $2 keys, $3 counters, $4 proposers, $5 value lengths, $6 content types, $7 etags,
 * $8 last-modified ms, $9 expiry ms, $10 origin regions, $11 tombstone flags, $12 recent operation ids as JSON arrays,
 * $13 versions, $14 the values packed end to end: see PackedValues, $15 and $16 the ballots to promise next, null
 * for none), answered in input order. A null value (and etag) empties the register. An accepted key's promise
 * becomes its next ballot when it has one (AcceptorStore passes only ballots above the accepted one), else
 * the accepted ballot; the rule compares the row's ballots with the accepted ballot either way.
 */
export const ACCEPT_BATCH: ShardStatement = {
  name: 'acceptor_accept',
  text: `WITH input AS (
     SELECT i.keyspace, i.key, i.counter, i.proposer, ${packedValue(14, 'i.value_length', 'i.n')} AS value, i.content_type, i.etag, i.last_modified_ms,
            i.expires_at_ms, i.origin_region, i.tombstone, i.recent_ops, i.version, i.n, ${STATE_BEFORE_COLUMNS},
            COALESCE(i.next_counter, i.counter) AS promise_counter, COALESCE(i.next_proposer, i.proposer) AS promise_proposer
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::int[], $6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::text[], $11::boolean[], $12::text[], $13::bigint[],
                   $15::bigint[], $16::text[])
       WITH ORDINALITY AS i(keyspace, key, counter, proposer, value_length, content_type, etag, last_modified_ms, expires_at_ms, origin_region,
                            tombstone, recent_ops, version, next_counter, next_proposer, n)
       ${STATE_BEFORE}
   ), accepted AS (
     INSERT INTO acceptor_state AS a (keyspace, key, promised_counter, promised_proposer, accepted_counter, accepted_proposer,
                                      value, content_type, etag, last_modified_ms, expires_at_ms, origin_region, tombstone, recent_ops,
                                      version)
     SELECT i.keyspace, i.key, i.promise_counter, i.promise_proposer, i.counter, i.proposer, i.value, i.content_type, i.etag, i.last_modified_ms, i.expires_at_ms,
            i.origin_region, i.tombstone, ARRAY(SELECT jsonb_array_elements_text(i.recent_ops::jsonb)), i.version
       FROM input i
       ${PAST_THE_FLOOR('>=')}
      ORDER BY i.keyspace, i.key
     ON CONFLICT (keyspace, key) DO UPDATE
        SET promised_counter = excluded.promised_counter, promised_proposer = excluded.promised_proposer,
            accepted_counter = excluded.accepted_counter, accepted_proposer = excluded.accepted_proposer,
            value = excluded.value, content_type = excluded.content_type, etag = excluded.etag,
            last_modified_ms = excluded.last_modified_ms, expires_at_ms = excluded.expires_at_ms, origin_region = excluded.origin_region,
            tombstone = excluded.tombstone, recent_ops = excluded.recent_ops, version = excluded.version
      WHERE (a.promised_counter, a.promised_proposer) <= (excluded.accepted_counter, excluded.accepted_proposer)
        AND (a.accepted_counter IS NULL OR (a.accepted_counter, a.accepted_proposer) < (excluded.accepted_counter, excluded.accepted_proposer))
     RETURNING a.keyspace, a.key
   )
   SELECT i.n, x.key IS NOT NULL AS ok, ${CONFLICT}
     FROM input i
     LEFT JOIN accepted x ON x.keyspace = i.keyspace AND x.key = i.key
    ORDER BY i.n`,
};

/**
 * A listing's page: keys of keyspace $1 this node holds acceptor state for, in [$2, $3) ($3 null: no upper
 * bound), after $4 (null: from the start), $5 at most, in byte order. Deleted registers too: whether a key
 * is live is for a read through the protocol to say, not one acceptor.
 */
export const ACCEPTOR_KEYSPACE_KEYS: ShardStatement = {
  name: 'acceptor_keyspace_keys',
  text: `SELECT key FROM acceptor_state
    WHERE keyspace = $1 AND key >= $2 AND ($3::text IS NULL OR key < $3) AND ($4::text IS NULL OR key > $4)
    ORDER BY key
    LIMIT $5`,
};

/** Keys of the acceptor rows after ($1 keyspace, $2 key), $3 at most, in key order: a keyset page. */
export const ACCEPTOR_KEYS_PAGE: ShardStatement = {
  name: 'acceptor_keys_page',
  text: `SELECT keyspace, key FROM acceptor_state
    WHERE (keyspace, key) > ($1::text, $2::text)
    ORDER BY keyspace, key
    LIMIT $3`,
};

/** The whole acceptor state of ($1 keyspaces, $2 keys); a key without a row is left out. */
export const LOAD_ACCEPTOR_STATES: ShardStatement = {
  name: 'acceptor_load',
  text: `SELECT a.keyspace, a.key, a.promised_counter, a.promised_proposer, a.accepted_counter, a.accepted_proposer, a.value, a.content_type,
          a.etag, a.last_modified_ms, a.expires_at_ms, a.origin_region, a.tombstone, a.version, a.recent_ops
     FROM unnest($1::text[], $2::text[]) AS i(keyspace, key)
     JOIN acceptor_state a ON a.keyspace = i.keyspace AND a.key = i.key`,
};

const ACCEPTED_COLUMNS = [
  'accepted_counter',
  'accepted_proposer',
  'value',
  'content_type',
  'etag',
  'last_modified_ms',
  'expires_at_ms',
  'origin_region',
  'tombstone',
  'recent_ops',
  'version',
];
const HIGHER_PROMISE = '(excluded.promised_counter, excluded.promised_proposer) > (a.promised_counter, a.promised_proposer)';
const LATER_ACCEPTANCE = `excluded.accepted_counter IS NOT NULL
      AND (a.accepted_counter IS NULL OR (excluded.accepted_counter, excluded.accepted_proposer) > (a.accepted_counter, a.accepted_proposer))`;
const takeWhen = (condition: string, columns: readonly string[]): string =>
  columns.map((column) => `${column} = CASE WHEN ${condition} THEN excluded.${column} ELSE a.${column} END`).join(',\n            ');

/**
 * A handover's merge (libs/caspaxos mergeAcceptorStates): each key keeps the higher of the two promises and
 * the later of the two acceptances, so a handover sent twice, or meeting a copy left from an earlier spell
 * as the key's acceptor, never moves a ballot backwards. Parameters: ($1 keyspaces, $2 keys, $3 and $4
 * promised ballots, $5 and $6 accepted ballots (null when none), $7 value lengths, $8 content types,
 * $9 etags, $10 last-modified ms, $11 expiry ms, $12 origin regions, $13 tombstone flags, $14 recent
 * operation ids as JSON arrays, $15 versions, $16 the values packed end to end).
 */
export const MERGE_ACCEPTOR_STATES: ShardStatement = {
  name: 'acceptor_merge',
  text: `WITH input AS (
     SELECT keyspace, key, promised_counter, promised_proposer, accepted_counter, accepted_proposer, ${packedValue(16, 'value_length', 'n')} AS value,
            content_type, etag, last_modified_ms, expires_at_ms, origin_region, tombstone, recent_ops, version
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::bigint[], $6::text[], $7::int[], $8::text[], $9::text[], $10::bigint[], $11::bigint[],
                   $12::text[], $13::boolean[], $14::text[], $15::bigint[])
       WITH ORDINALITY AS i(keyspace, key, promised_counter, promised_proposer, accepted_counter, accepted_proposer, value_length, content_type, etag,
                            last_modified_ms, expires_at_ms, origin_region, tombstone, recent_ops, version, n)
   )
   INSERT INTO acceptor_state AS a (keyspace, key, promised_counter, promised_proposer, ${ACCEPTED_COLUMNS.join(', ')})
   SELECT keyspace, key, promised_counter, promised_proposer, accepted_counter, accepted_proposer, value, content_type, etag, last_modified_ms,
          expires_at_ms, origin_region, tombstone, ARRAY(SELECT jsonb_array_elements_text(recent_ops::jsonb)), version
     FROM input ORDER BY keyspace, key
   ON CONFLICT (keyspace, key) DO UPDATE
      SET ${takeWhen(HIGHER_PROMISE, ['promised_counter', 'promised_proposer'])},
            ${takeWhen(LATER_ACCEPTANCE, ACCEPTED_COLUMNS)}
    WHERE ${HIGHER_PROMISE} OR (${LATER_ACCEPTANCE})`,
};

/** Drops the acceptor rows of ($1 keyspaces, $2 keys): a handover's source, once the new acceptor holds them. */
export const DELETE_ACCEPTOR_STATES: ShardStatement = {
  name: 'acceptor_delete',
  text: `DELETE FROM acceptor_state a
    USING unnest($1::text[], $2::text[]) AS i(keyspace, key)
    WHERE a.keyspace = i.keyspace AND a.key = i.key`,
};

/**
 * Garbage collection's drop (libs/caspaxos collectRow) of ($1 keyspaces, $2 keys, $3 and $4 the collection
 * round's ballots): a row goes only if it is still exactly that round's empty register, and the floor rises
 * to the highest ballot dropped, in the same transaction. Answers, in input order, whether each was dropped.
 */
export const COLLECT_ACCEPTOR_ROWS: ShardStatement = {
  name: 'acceptor_collect',
  text: `WITH input AS (
     SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[]) WITH ORDINALITY AS i(keyspace, key, counter, proposer, n)
   ), dropped AS (
     DELETE FROM acceptor_state a USING input i
      WHERE a.keyspace = i.keyspace AND a.key = i.key
        AND a.promised_counter = i.counter AND a.promised_proposer = i.proposer
        AND a.accepted_counter = i.counter AND a.accepted_proposer = i.proposer
        AND a.value IS NULL
     RETURNING a.keyspace, a.key, a.promised_counter, a.promised_proposer
   ), raised AS (
     INSERT INTO acceptor_floor AS f (id, counter, proposer)
     SELECT 1, promised_counter, promised_proposer FROM dropped ORDER BY promised_counter DESC, promised_proposer DESC LIMIT 1
     ON CONFLICT (id) DO UPDATE SET counter = excluded.counter, proposer = excluded.proposer
      WHERE (f.counter, f.proposer) < (excluded.counter, excluded.proposer)
   )
   SELECT i.n, d.key IS NOT NULL AS dropped
     FROM input i
     LEFT JOIN dropped d ON d.keyspace = i.keyspace AND d.key = i.key
    ORDER BY i.n`,
};

/**
 * The next $3 acceptor rows after ($1 keyspace, $2 key), in key order, each with whether garbage collection
 * should look at it: promised nothing since counter $4 (ballot counters start from their proposer's clock in
 * milliseconds, so this is roughly "untouched since"), and holding no live value (never accepted one, or the
 * empty register, a tombstone, or a value expired before $5 ms). Values are not read.
 */
export const ACCEPTOR_COLLECTION_SCAN: ShardStatement = {
  name: 'acceptor_collection_scan',
  text: `SELECT keyspace, key,
          promised_counter < $4 AND (accepted_counter IS NULL OR value IS NULL OR tombstone OR expires_at_ms < $5) AS garbage
     FROM acceptor_state
    WHERE (keyspace, key) > ($1::text, $2::text)
    ORDER BY keyspace, key
    LIMIT $3`,
};

/** Raises the node's acceptor floor to ($1 counter, $2 proposer); a lower one is left as it is. */
export const RAISE_ACCEPTOR_FLOOR: ShardStatement = {
  name: 'acceptor_raise_floor',
  text: `INSERT INTO acceptor_floor AS f (id, counter, proposer) VALUES (1, $1, $2)
    ON CONFLICT (id) DO UPDATE SET counter = excluded.counter, proposer = excluded.proposer
     WHERE (f.counter, f.proposer) < (excluded.counter, excluded.proposer)`,
};

/** The node's acceptor floor; no row until garbage collection first dropped one. */
export const ACCEPTOR_FLOOR: ShardStatement = {
  name: 'acceptor_floor',
  text: `SELECT counter, proposer FROM acceptor_floor WHERE id = 1`,
};
