import { SHIPMENT_MAX_VALUE_BYTES } from '@geokv/protocol';
import { VERSION_COLUMNS, versionRows } from './version-rows';

/** A named prepared statement: parsed and planned once per connection, then reused. */
export interface ShardStatement {
  readonly name: string;
  readonly text: string;
}

/**
 * Settings for every shard connection. Left to itself, PostgreSQL re-plans a prepared statement with the
 * actual parameter values on most executions, and for the large batch statement planning cost more CPU
 * than running it; so each statement is planned once per connection, generically. Every shard statement
 * is a lookup by key, so a sequential scan is never the right plan; ruling it out keeps a plan made while a
 * table looked small from scanning it once it is large. Ruling it out only prices it very high, though,
 * and a plan that kept one anyway crossed the JIT's cost threshold and spent 400 ms compiling on every
 * execution; these statements take milliseconds, so JIT compilation never pays, and it is off.
 */
export const SHARD_SESSION_SETTINGS = { plan_cache_mode: 'force_generic_plan', enable_seqscan: 'off', jit: 'off' } as const;

/*
 * The shard's connections plan each statement once, generically, and keep that plan for their whole life
 * (see SHARD_SESSION_SETTINGS). A plan made while a table is nearly empty must therefore still be
 * right when it holds millions of rows. So every statement here is written so that its only sensible plan
 * is index lookups per key:
 * - lookups go through `CROSS JOIN LATERAL (… OFFSET 0)`, which keeps them a nested loop of primary-key
 *   probes instead of letting the planner hash-join against a scan of the table;
 * - listing uses a primary-key range, never `LIKE $1`, which a generic plan cannot turn into a range.
 * The shard-statements integration test checks the plans on a fresh shard.
 */

/** Versions of the keys ($1 keyspaces, $2 keys), tombstones and expired ones included. */
export const LOAD_VERSIONS: ShardStatement = {
  name: 'load_versions',
  text: `SELECT v.* FROM unnest($1::text[], $2::text[]) AS r(keyspace, key)
    CROSS JOIN LATERAL (
      SELECT ${VERSION_COLUMNS} FROM versions
       WHERE keyspace = r.keyspace AND key = r.key
      OFFSET 0) v`,
};

/**
 * A whole group commit in ONE statement (data-modifying CTEs), which PostgreSQL runs as one transaction:
 * a batch is durable whole or not at all, with its outbox rows, in a single round trip. Removed and
 * upserted never share a primary key (an upserted version is in the final state, a removed one is not),
 * so the CTEs never touch one row twice.
 *
 * $48/$49 are the keys the batch merged as absent without reading them (see AbsenceSpeculation). `guard`
 * checks in the statement's own snapshot that none of them has a row; if one has, every CTE writes
 * nothing and the statement returns `applied = false`, so the batch can read those keys and merge again.
 * All CTEs share one snapshot, so the guard and the writes see the same table. It also returns where the
 * batch's outbox rows end (they share the statement's txid), for OutboxTail. $50–$52 hold the values of
 * the upserted, outbox and conflict rows, each set end to end in one binary parameter (see versionRows).
 *
 * Concurrent batches never share a key (WriteBatcher), but a batch's hints may share rows with a
 * RECORD_HINTS running beside it; both upsert hints in (target, keyspace, key) order so that they cannot
 * deadlock, as acceptor batches once did.
 */
export const COMMIT_BATCH: ShardStatement = {
  name: 'commit_batch',
  text: `WITH guard AS (
     SELECT NOT EXISTS (
       SELECT 1 FROM unnest($48::text[], $49::text[]) AS a(keyspace, key)
        CROSS JOIN LATERAL (
          SELECT 1 FROM versions WHERE keyspace = a.keyspace AND key = a.key LIMIT 1 OFFSET 0) v) AS ok
   ), removed AS (
     DELETE FROM versions WHERE ctid = ANY(ARRAY(
       SELECT v.ctid FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS r(keyspace, key, dot_actor, dot_counter)
        CROSS JOIN LATERAL (
          SELECT ctid FROM versions
           WHERE keyspace = r.keyspace AND key = r.key AND dot_actor = r.dot_actor AND dot_counter = r.dot_counter
          OFFSET 0) v))
       AND (SELECT ok FROM guard)
   ), upserted AS (
     INSERT INTO versions (${VERSION_COLUMNS})
     SELECT ${VERSION_COLUMNS} FROM ${versionRows(5, 50)} AS v WHERE (SELECT ok FROM guard)
     ON CONFLICT (keyspace, key, dot_actor, dot_counter) DO UPDATE SET context = excluded.context
   ), logged AS (
     INSERT INTO outbox (${VERSION_COLUMNS})
     SELECT ${VERSION_COLUMNS} FROM ${versionRows(17, 51)} AS v WHERE (SELECT ok FROM guard)
     RETURNING txid, id
   ), conflicted AS (
     INSERT INTO conflicts (${VERSION_COLUMNS.replace(', expires_at', '')}, resolution, winner_actor, winner_counter)
     SELECT l.keyspace, l.key, l.dot_actor, l.dot_counter, l.context, l.hlc_wall_ms, l.hlc_logical, l.origin_region,
            l.tombstone, l.value, l.content_type, w.resolution, w.winner_actor, w.winner_counter
       FROM ${versionRows(29, 52)} AS l
       JOIN unnest($41::text[], $42::text[], $43::bigint[]) WITH ORDINALITY
            AS w(resolution, winner_actor, winner_counter, n) USING (n)
      WHERE (SELECT ok FROM guard)
     ON CONFLICT (keyspace, key, dot_actor, dot_counter) DO NOTHING
   ), hinted AS (
     INSERT INTO hints (target_node, keyspace, key, strategy)
     SELECT * FROM unnest($44::text[], $45::text[], $46::text[], $47::text[]) AS h(target_node, keyspace, key, strategy)
      WHERE (SELECT ok FROM guard) ORDER BY target_node, keyspace, key
     ON CONFLICT (target_node, keyspace, key) DO UPDATE SET seq = nextval('hints_seq'), strategy = excluded.strategy
   )
   SELECT ok AS applied,
          (SELECT txid::text FROM logged LIMIT 1) AS outbox_txid,
          (SELECT max(id)::text FROM logged) AS outbox_last_id
     FROM guard`,
};

/** Live keys of keyspace $1 in [$2, $3) (no upper bound when $3 is null), after $4, at most $5. */
export const LIST_KEYS: ShardStatement = {
  name: 'list_keys',
  text: `SELECT key FROM versions
    WHERE keyspace = $1 AND key >= $2 AND ($3::text IS NULL OR key < $3) AND ($4::text IS NULL OR key > $4)
    GROUP BY key
   HAVING bool_or(NOT tombstone AND (expires_at IS NULL OR expires_at > now()))
    ORDER BY key
    LIMIT $5`,
};

/**
 * Most rows one reclaiming statement deletes (expired versions, old tombstones, old conflict records), and
 * most outbox rows one trim deletes: each is its own short transaction, run again until the backlog is gone
 * (drainInSlices).
 */
export const VERSIONS_PURGE_SLICE = 1_000;
export const OUTBOX_TRIM_SLICE = 5_000;

/** Deletes up to VERSIONS_PURGE_SLICE expired versions and counts them. */
export const PURGE_EXPIRED: ShardStatement = {
  name: 'purge_expired',
  text: `WITH purged AS (
     DELETE FROM versions WHERE ctid = ANY(ARRAY(
       SELECT ctid FROM versions WHERE expires_at IS NOT NULL AND expires_at < now() LIMIT ${VERSIONS_PURGE_SLICE}))
     RETURNING 1)
   SELECT count(*) AS purged FROM purged`,
};

/**
 * Deletes up to VERSIONS_PURGE_SLICE conflict records made more than $1 seconds ago, oldest first, and
 * counts them: last-writer-wins losers, and manual ones already resolved (an open manual conflict, whose
 * queued version is still stored, stays however old it is).
 */
export const PURGE_OLD_CONFLICTS: ShardStatement = {
  name: 'purge_old_conflicts',
  text: `WITH purged AS (
     DELETE FROM conflicts WHERE id = ANY(ARRAY(
       SELECT c.id FROM conflicts c
        WHERE c.recorded_at < now() - $1::int * interval '1 second'
          AND (c.resolution = 'lww'
               OR NOT EXISTS (SELECT 1 FROM versions v
                               WHERE v.keyspace = c.keyspace AND v.key = c.key AND v.dot_actor = c.dot_actor AND v.dot_counter = c.dot_counter))
        ORDER BY c.recorded_at LIMIT ${VERSIONS_PURGE_SLICE}))
     RETURNING 1)
   SELECT count(*) AS purged FROM purged`,
};

/**
 * Deletes up to VERSIONS_PURGE_SLICE rows of the deleted keyspaces $1 from each table that holds a
 * keyspace's data (versions, conflict records, hints, acceptor state, its replica spread), and answers
 * the most any one table lost (`purged`: a full slice means another may follow) and the rows in all. The
 * outbox is left to the replicator, which trims it once shipped; the peers drop what they receive of a
 * deleted keyspace.
 */
export const PURGE_DELETED_KEYSPACES: ShardStatement = {
  name: 'purge_deleted_keyspaces',
  text: `WITH v AS (
     DELETE FROM versions WHERE ctid = ANY(ARRAY(SELECT ctid FROM versions WHERE keyspace = ANY($1::text[]) LIMIT ${VERSIONS_PURGE_SLICE})) RETURNING 1
   ), c AS (
     DELETE FROM conflicts WHERE id = ANY(ARRAY(SELECT id FROM conflicts WHERE keyspace = ANY($1::text[]) LIMIT ${VERSIONS_PURGE_SLICE})) RETURNING 1
   ), h AS (
     DELETE FROM hints WHERE ctid = ANY(ARRAY(SELECT ctid FROM hints WHERE keyspace = ANY($1::text[]) LIMIT ${VERSIONS_PURGE_SLICE})) RETURNING 1
   ), a AS (
     DELETE FROM acceptor_state WHERE ctid = ANY(ARRAY(SELECT ctid FROM acceptor_state WHERE keyspace = ANY($1::text[]) LIMIT ${VERSIONS_PURGE_SLICE})) RETURNING 1
   ), r AS (
     DELETE FROM replica_spread WHERE keyspace = ANY($1::text[]) RETURNING 1
   )
   , counts AS (
     SELECT (SELECT count(*) FROM v) AS v, (SELECT count(*) FROM c) AS c, (SELECT count(*) FROM h) AS h, (SELECT count(*) FROM a) AS a, (SELECT count(*) FROM r) AS r
   )
   SELECT greatest(v, c, h, a, r) AS purged, v + c + h + a + r AS rows FROM counts`,
};

/** The peer's cursor, or the start of the outbox for a peer that has acknowledged nothing yet. */
const PEER_CURSOR = `(
  coalesce((SELECT acked_txid FROM replication_cursors WHERE peer = $1), '0'::xid8),
  coalesce((SELECT acked_id FROM replication_cursors WHERE peer = $1), 0))`;

function versionColumnsOf(alias: string): string {
  return VERSION_COLUMNS.split(', ').map((column) => `${alias}.${column}`).join(', ');
}

/**
 * Outbox rows in (txid, id) order after `position`, at most `limit` and SHIPMENT_MAX_VALUE_BYTES of values
 * (and one more value: a page always has its first row); only rows older than every running transaction.
 */
function outboxPageAfter(position: string, limit: string): string {
  return `SELECT page.txid::text AS txid, page.id::text AS id, ${versionColumnsOf('page')}
      FROM (
        SELECT o.txid, o.id, ${versionColumnsOf('o')},
               sum(coalesce(octet_length(o.value), 0)) OVER (ORDER BY o.txid, o.id) AS bytes_through
          FROM outbox o
         WHERE (o.txid, o.id) > ${position}
           AND o.txid < pg_snapshot_xmin(pg_current_snapshot())
         ORDER BY o.txid, o.id
         LIMIT ${limit}) page
     WHERE page.bytes_through - coalesce(octet_length(page.value), 0) < ${SHIPMENT_MAX_VALUE_BYTES}
     ORDER BY page.txid, page.id`;
}

/**
 * The next outbox rows peer $1 has not acknowledged, at most $2. Only rows whose transaction is older than
 * every running one are read, so no row can later appear before them.
 */
export const READ_OUTBOX: ShardStatement = { name: 'read_outbox', text: outboxPageAfter(PEER_CURSOR, '$2') };

/** The same after an explicit position ($1 txid, $2 id) that a replicator has read up to, at most $3. */
export const READ_OUTBOX_AFTER: ShardStatement = { name: 'read_outbox_after', text: outboxPageAfter('($1::xid8, $2::bigint)', '$3') };

/** How many rows peer $1 has not acknowledged, and when the oldest of them was written. */
export const OUTBOX_BACKLOG: ShardStatement = {
  name: 'outbox_backlog',
  text: `SELECT count(*)::int AS backlog, min(created_at) AS oldest
      FROM outbox WHERE (txid, id) > ${PEER_CURSOR}`,
};

/** The same after an explicit position ($1 txid, $2 id) up to which a replicator knows the peer has applied everything. */
export const OUTBOX_BACKLOG_AFTER: ShardStatement = {
  name: 'outbox_backlog_after',
  text: `SELECT count(*)::int AS backlog, min(created_at) AS oldest
      FROM outbox WHERE (txid, id) > ($1::xid8, $2::bigint)`,
};

/**
 * A CTE that lets its statement commit without waiting for PostgreSQL to flush the WAL: `synchronous_commit`
 * is read at commit, and `set_config(…, true)` turns it off for the statement's own transaction only, so the
 * pooled connection's next commit waits again. Only for writes that may be lost in a crash of the server: a
 * cursor that moved back ships some rows twice, and applying a version twice changes nothing. Every write
 * that acknowledges anything to a client or a peer still waits for its flush, which also carries these.
 * Under replication load a cursor move was one commit in five, each queuing for the flush that the group
 * commits wait on.
 */
const WITHOUT_FLUSH_WAIT = `without_flush_wait AS (SELECT set_config('synchronous_commit', 'off', true))`;

/**
 * CTEs (`without_flush_wait`, `moved`) moving peer $1's cursor to ($2, $3), committed without waiting for the
 * WAL flush; never backwards, so a late retry of an old ack changes nothing.
 */
const MOVE_CURSOR = `${WITHOUT_FLUSH_WAIT}, moved AS (
      INSERT INTO replication_cursors (peer, acked_txid, acked_id) SELECT $1, $2::xid8, $3::bigint FROM without_flush_wait
      ON CONFLICT (peer) DO UPDATE SET acked_txid = excluded.acked_txid, acked_id = excluded.acked_id, acked_at = now()
      WHERE (replication_cursors.acked_txid, replication_cursors.acked_id) < (excluded.acked_txid, excluded.acked_id)
      RETURNING 1)`;

/** Moves peer $1's cursor to ($2, $3). */
export const ACK_OUTBOX: ShardStatement = { name: 'ack_outbox', text: `WITH ${MOVE_CURSOR} SELECT count(*)::int AS moved FROM moved` };

/**
 * Moves peer $1's cursor to ($2, $3) and reads the rows after ($4, $5), at most $6, in one round trip: a
 * replicator's read carries the acknowledgement of what the peer applied, and reads on from where it had
 * read, which does not depend on the cursor. PostgreSQL runs a data-modifying WITH exactly once, read or not.
 */
export const ACK_AND_READ_OUTBOX_AFTER: ShardStatement = {
  name: 'ack_and_read_outbox_after',
  text: `WITH ${MOVE_CURSOR}
    ${outboxPageAfter('($4::xid8, $5::bigint)', '$6')}`,
};

/**
 * Deletes (at most OUTBOX_TRIM_SLICE) outbox rows that every peer in $1 has acknowledged. A peer with no
 * cursor yet has acknowledged nothing, so then nothing goes. With no peers at all, nobody will read the
 * outbox (a region's replicator ships it; a peer added later is filled by anti-entropy, as it would be
 * after any trim), so every row goes.
 */
export const TRIM_OUTBOX: ShardStatement = {
  name: 'trim_outbox',
  text: `WITH cursors AS (
       SELECT acked_txid, acked_id FROM replication_cursors WHERE peer = ANY($1::text[])
     ), lowest_cursor AS (
       SELECT acked_txid, acked_id FROM cursors
        WHERE (SELECT count(*) FROM cursors) = cardinality($1::text[])
        ORDER BY acked_txid, acked_id LIMIT 1
     ), bound AS (
       SELECT acked_txid, acked_id FROM lowest_cursor
       UNION ALL
       SELECT '18446744073709551615'::xid8, 9223372036854775807::bigint WHERE cardinality($1::text[]) = 0
     ), trimmed AS (
       DELETE FROM outbox WHERE ctid = ANY(ARRAY(
         SELECT o.ctid FROM bound b
          CROSS JOIN LATERAL (
            SELECT ctid FROM outbox WHERE (txid, id) <= (b.acked_txid, b.acked_id) ORDER BY txid, id LIMIT ${OUTBOX_TRIM_SLICE}) o))
       RETURNING 1)
   SELECT count(*)::int AS trimmed FROM trimmed`,
};

/** Deletes (at most VERSIONS_PURGE_SLICE) tombstones whose HLC time is before $1 (ms) and returns their keys. */
export const PURGE_TOMBSTONES: ShardStatement = {
  name: 'purge_tombstones',
  text: `DELETE FROM versions WHERE ctid = ANY(ARRAY(
       SELECT ctid FROM versions WHERE tombstone AND hlc_wall_ms < $1::bigint LIMIT ${VERSIONS_PURGE_SLICE}))
   RETURNING keyspace, key`,
};

/**
 * Most version ids one page of an anti-entropy scan reads (SCAN_VERSION_IDS, whose $5 is at most this). A
 * page lives across the read of the next, long enough for V8 to move it to the old generation: with pages of
 * 10,000 a scan raised a node's RSS from 131 to 256-270 MB, with 2,000 to 136-158 MB, in the same time
 * (a million versions in 5.3-7.3 s; PostgreSQL's share of a page is about a millisecond).
 */
export const VERSION_ID_PAGE = 2_000;

/**
 * One page of every unexpired version's identity (its dot and context), after the one at ($1 keyspace, $2
 * key, $3 actor, $4 counter), in primary-key order. Anti-entropy scans the shard on purpose: it runs
 * rarely, and it is how a region finds what it lost behind geokv's back; in pages, so that a node holds
 * one page of ids at a time, never the whole shard.
 */
export const SCAN_VERSION_IDS: ShardStatement = {
  name: 'scan_version_ids',
  text: `SELECT keyspace, key, dot_actor, dot_counter, context FROM versions
    WHERE (keyspace, key, dot_actor, dot_counter) > ($1::text, $2::text, $3::text, $4::bigint)
      AND (expires_at IS NULL OR expires_at > now())
    ORDER BY keyspace, key, dot_actor, dot_counter
    LIMIT $5`,
};

/**
 * Keys queued for a manual resolution that are still unresolved: their queued versions are still stored
 * (a resolving write, here or replicated from elsewhere, replaces them and so takes the key off the
 * queue). Oldest first, at most $1.
 */
export const OPEN_MANUAL_CONFLICTS: ShardStatement = {
  name: 'open_manual_conflicts',
  text: `SELECT c.keyspace, c.key, count(*)::int AS siblings, min(c.recorded_at) AS queued_at
      FROM conflicts c
     WHERE c.resolution = 'manual'
       AND EXISTS (SELECT 1 FROM versions v
                    WHERE v.keyspace = c.keyspace AND v.key = c.key AND v.dot_actor = c.dot_actor AND v.dot_counter = c.dot_counter)
     GROUP BY c.keyspace, c.key
     ORDER BY min(c.recorded_at)
     LIMIT $1`,
};

/** Records hints ($1 targets, $2 keyspaces, $3 keys, $4 strategies) for replicas a forward did not reach. */
export const RECORD_HINTS: ShardStatement = {
  name: 'record_hints',
  text: `INSERT INTO hints (target_node, keyspace, key, strategy)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[]) AS h(target_node, keyspace, key, strategy)
     ORDER BY target_node, keyspace, key
    ON CONFLICT (target_node, keyspace, key) DO UPDATE SET seq = nextval('hints_seq'), strategy = excluded.strategy`,
};

/** The oldest hints (at most $2) for the replicas in $1. */
export const READ_HINTS: ShardStatement = {
  name: 'read_hints',
  text: `SELECT target_node, keyspace, key, strategy, seq::text AS seq FROM hints
    WHERE target_node = ANY($1::text[]) ORDER BY seq LIMIT $2`,
};

/**
 * Deletes delivered hints ($1 targets, $2 keyspaces, $3 keys, $4 seqs): a hint renewed since stays. Each row
 * is locked as it is found, in (target, keyspace, key) order, the order the hint upserts lock rows in:
 * deleting them in the order they lie on disk deadlocked against an upsert renewing the same hints.
 */
export const DELETE_HINTS: ShardStatement = {
  name: 'delete_hints',
  text: `DELETE FROM hints WHERE ctid = ANY(ARRAY(
       SELECT h.ctid
         FROM (SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[]) AS u(target_node, keyspace, key, seq)
                ORDER BY target_node, keyspace, key) d
        CROSS JOIN LATERAL (
          SELECT ctid FROM hints
           WHERE target_node = d.target_node AND keyspace = d.keyspace AND key = d.key AND seq = d.seq
             FOR UPDATE) h))`,
};

/** Hints waiting, per replica. */
export const COUNT_HINTS: ShardStatement = {
  name: 'count_hints',
  text: `SELECT target_node, count(*)::int AS pending FROM hints GROUP BY target_node`,
};

/** Each keyspace's replication factor this node's copies are spread for (see ReplicaTopUp). */
export const READ_REPLICA_SPREAD: ShardStatement = {
  name: 'read_replica_spread',
  text: `SELECT keyspace, replicas FROM replica_spread`,
};

export const RECORD_REPLICA_SPREAD: ShardStatement = {
  name: 'record_replica_spread',
  text: `INSERT INTO replica_spread (keyspace, replicas) VALUES ($1, $2)
    ON CONFLICT (keyspace) DO UPDATE SET replicas = excluded.replicas, updated_at = now()`,
};

/** The next $3 keys (with any version) after ($1 keyspace, $2 key), in primary-key order: a handoff or cleanup page. */
export const PAGE_KEYS: ShardStatement = {
  name: 'page_keys',
  text: `SELECT keyspace, key FROM versions
    WHERE (keyspace, key) > ($1::text, $2::text)
    GROUP BY keyspace, key
    ORDER BY keyspace, key
    LIMIT $3`,
};

/**
 * Deletes every version of the keys ($1 keyspaces, $2 keys) that no hint here still names: keys this node
 * no longer holds after a rebalance. Returns the keys deleted.
 */
export const DROP_KEYS: ShardStatement = {
  name: 'drop_keys',
  text: `DELETE FROM versions WHERE ctid = ANY(ARRAY(
       SELECT v.ctid FROM unnest($1::text[], $2::text[]) AS r(keyspace, key)
        CROSS JOIN LATERAL (
          SELECT ctid FROM versions WHERE keyspace = r.keyspace AND key = r.key OFFSET 0) v
        WHERE NOT EXISTS (SELECT 1 FROM hints h WHERE h.keyspace = r.keyspace AND h.key = r.key)))
   RETURNING keyspace, key`,
};
