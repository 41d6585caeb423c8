import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeContext } from '@geokv/vector-clock';
import {
  compareAcceptorKeys,
  ErrorCode,
  heldByLostAcceptor,
  valueBytesOf,
  type AcceptorKey,
  type LostAcceptor,
  type OutboxPosition,
  type OutboxReadRequest,
  type OutboxReadResult,
  type ReadResult,
  type ReplicatedVersion,
  type WriteRequest,
} from '@geokv/protocol';
import type { AppProcess, RedisServer } from '@geokv/test-support';
import { mapWithConcurrency } from '../support/concurrency';
import { http, jsonOf, pollUntil } from '../support/http';
import { query } from '../support/shard-db';
import { startLoneStorageNode, type LoneStorageNode } from '../support/lone-storage-node';
import { rpcErrorOf, type StorageRpc } from '../support/storage-rpc';
import { explainWithLogs } from '../support/test-region';

/**
 * One storage node against real PostgreSQL and Redis, spoken to over the real Redis transport exactly as
 * the gateway speaks to it. Membership runs too, because the node registers and heartbeats.
 */
describe('storage node (PostgreSQL + Redis transport)', () => {
  const NODE = 'n1';
  let lone: LoneStorageNode;
  let redis: RedisServer;
  let node: AppProcess;
  let shardUrl: string;
  let rpc: StorageRpc;

  const apps = (): AppProcess[] => (lone === undefined ? [] : [lone.membership, lone.node]);

  beforeAll(async () => {
    lone = await startLoneStorageNode({ suite: 'storage-node-it' });
    ({ redis, node, shardUrl, rpc } = lone);
  }, 90_000);

  afterAll(async () => {
    await lone?.stop();
  }, 60_000);

  /** A version of `key` written in eu-west (its `counter`-th write there), as that region's replicator ships it. */
  function versionFromEuWest(key: string, value: string, counter = 1): ReplicatedVersion {
    return {
      keyspace: 'default',
      key,
      dotActor: 'eu-west/n9',
      dotCounter: counter,
      context: { 'eu-west/n9': counter },
      hlcWallMs: Date.now(),
      hlcLogical: 0,
      originRegion: 'eu-west',
      tombstone: false,
      value: Buffer.from(value),
      contentType: 'text/plain',
      expiresAtMs: null,
    };
  }

  function put(key: string, value: Buffer, extra: Partial<WriteRequest> = {}): WriteRequest {
    return {
      requestId: `it-${key}`,
      keyspace: 'default',
      key,
      tombstone: false,
      value,
      contentType: 'application/octet-stream',
      conflictResolution: 'lww',
      ...extra,
    };
  }

  async function outboxRows(keyPrefix: string): Promise<number> {
    const rows = await query<{ count: string }>(shardUrl, `SELECT count(*) AS count FROM outbox WHERE key LIKE $1`, [`${keyPrefix}%`]);
    return Number(rows[0].count);
  }

  /** Where the peer's cursor stands (the id of the last row it acknowledged); undefined before it has one. */
  async function ackedIdOf(peer: string, table = 'replication_cursors'): Promise<string | undefined> {
    const rows = await query<{ acked_id: string }>(shardUrl, `SELECT acked_id::text AS acked_id FROM ${table} WHERE peer = $1`, [peer]);
    return rows[0]?.acked_id;
  }

  /** The value of the metric's series (with `labels` among its labels, when given). */
  async function metricValue(name: string, labels: Record<string, string> = {}): Promise<number> {
    const response = await http(`${node.httpUrl}/metrics`);
    expect(response.status).toBe(200);
    const wanted = Object.entries(labels).map(([label, value]) => `${label}="${value}"`);
    const line = response.body
      .toString('utf8')
      .split('\n')
      .find((candidate) => (candidate.startsWith(`${name}{`) || candidate.startsWith(`${name} `)) && wanted.every((pair) => candidate.includes(pair)));
    // A histogram with no observations yet has no series at all: that is zero.
    return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
  }

  it('creates the shard schema by migrations: versions, outbox and conflicts, keys in byte order', async () => {
    const tables = await query<{ table_name: string }>(
      shardUrl,
      `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY table_name`,
    );
    expect(tables.map((row) => row.table_name)).toEqual(expect.arrayContaining(['conflicts', 'outbox', 'versions']));

    const keyColumns = await query<{ table_name: string; collation_name: string | null }>(
      shardUrl,
      `SELECT table_name, collation_name FROM information_schema.columns
        WHERE table_schema = 'public' AND column_name = 'key' ORDER BY table_name`,
    );
    expect(keyColumns).toEqual([
      { table_name: 'acceptor_state', collation_name: 'C' },
      { table_name: 'conflicts', collation_name: 'C' },
      { table_name: 'hints', collation_name: 'C' },
      { table_name: 'outbox', collation_name: 'C' },
      { table_name: 'versions', collation_name: 'C' },
    ]);
  }, 30_000);

  it('acknowledges a write once it is durable, with exactly one outbox row written in the same transaction', async () => {
    const value = randomBytes(300);
    const result = await rpc.write(NODE, put('durable/one', value, { contentType: 'image/png' }));
    expect(result.written).toBe(true);
    expect(result.etag).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeContext(result.context)).toEqual({ 'us-east/n1': 1 });

    const versions = await query<{ value: Buffer; content_type: string; dot_actor: string; dot_counter: string; xmin: string }>(
      shardUrl,
      `SELECT value, content_type, dot_actor, dot_counter, xmin::text AS xmin FROM versions WHERE keyspace = 'default' AND key = $1`,
      ['durable/one'],
    );
    const outbox = await query<{ value: Buffer; dot_actor: string; dot_counter: string; xmin: string }>(
      shardUrl,
      `SELECT value, dot_actor, dot_counter, xmin::text AS xmin FROM outbox WHERE keyspace = 'default' AND key = $1`,
      ['durable/one'],
    );
    expect(versions).toHaveLength(1);
    expect(outbox).toHaveLength(1);
    expect(versions[0].value.equals(value)).toBe(true);
    expect(versions[0].content_type).toBe('image/png');
    expect(outbox[0].value.equals(value)).toBe(true);
    expect([outbox[0].dot_actor, outbox[0].dot_counter]).toEqual([versions[0].dot_actor, versions[0].dot_counter]);
    // Same inserting transaction id: the version and its replication-log row committed atomically.
    expect(outbox[0].xmin).toBe(versions[0].xmin);

    const read = await rpc.read(NODE, { requestId: 'it-read', keyspace: 'default', key: 'durable/one' });
    expect(read.versions).toHaveLength(1);
    expect(read.versions[0].value.equals(value)).toBe(true);
    expect(read.versions[0].contentType).toBe('image/png');
    expect(read.versions[0].etag).toBe(result.etag);
    expect(read.context).toBe(result.context);
  }, 30_000);

  it("reads a peer's outbox in commit order, and moves the peer's cursor past what a read acknowledges", async () => {
    for (const key of ['outbox/a', 'outbox/b', 'outbox/c']) expect((await rpc.write(NODE, put(key, randomBytes(8)))).written).toBe(true);
    const total = await outboxRows('');
    const read = (request: Partial<OutboxReadRequest>): Promise<OutboxReadResult> =>
      rpc.outboxRead(NODE, { requestId: 'it-outbox', peer: 'it-peer', limit: 10_000, waitMs: 0, countPending: true, ...request });

    // A full page: what lies beyond it is counted.
    const first = await read({ limit: 1 });
    expect(first.versions).toHaveLength(1);
    expect(first.pending?.backlog).toBe(total);

    // A partial page is itself what the peer lacks. Reading on from the first row, it acknowledges that row on
    // the way (in the read's statement, or within a flush when the node serves the rows from memory). (A row
    // committed while another transaction on the server runs stays unreadable until that one ends.)
    const rest = await pollUntil(() => read({ acknowledge: first.next!, after: first.next! }), (page) => page.versions.length === total - 1, {
      timeoutMs: 5_000,
      what: 'every outbox row after the first to be readable',
    });
    expect(rest.versions.slice(-3).map((version) => version.key)).toEqual(['outbox/a', 'outbox/b', 'outbox/c']);
    expect(rest.pending).toEqual({ backlog: total - 1, oldestPendingAtMs: Math.min(...rest.versions.map((version) => version.hlcWallMs)) });
    await pollUntil(() => ackedIdOf('it-peer'), (acked) => acked === first.next!.id, {
      timeoutMs: 5_000,
      what: "the peer's cursor to move past the first row",
    });

    // Everything acknowledged by a read from the cursor (as after a failure): the cursor moves first, so the
    // page is empty and nothing is pending; and a later read from the cursor starts after it all.
    const drained = await read({ acknowledge: rest.next! });
    expect(drained).toEqual({ versions: [], next: null, pending: { backlog: 0, oldestPendingAtMs: null } });
    await rpc.write(NODE, put('outbox/d', randomBytes(8)));
    expect((await read({})).versions.map((version) => version.key)).toEqual(['outbox/d']);
  }, 30_000);

  it("serves reads at and behind the outbox's tail from the commits it made, without reading the shard, and moves the cursor soon after", async () => {
    const read = (request: Partial<OutboxReadRequest>): Promise<OutboxReadResult> =>
      rpc.outboxRead(NODE, { requestId: 'it-tail', peer: 'it-tail-peer', limit: 10_000, waitMs: 0, countPending: true, ...request });
    expect((await rpc.write(NODE, put('tail/a', randomBytes(8)))).written).toBe(true);
    // Up to the last row: the commit of tail/a, once every older transaction on the server has ended.
    const caughtUp = await pollUntil(() => read({}), (page) => page.versions.at(-1)?.key === 'tail/a', {
      timeoutMs: 5_000,
      what: 'the outbox to be readable up to tail/a',
    });
    const tail = caughtUp.next!;
    const readsBefore = await metricValue('geokv_db_query_duration_seconds_count', { query: 'read_outbox_after' });
    const acksBefore = await metricValue('geokv_db_query_duration_seconds_count', { query: 'ack_and_read_outbox_after' });

    const waiting = read({ after: tail, acknowledge: tail, waitMs: 10_000 });
    await sleep(200);
    const value = randomBytes(8);
    expect((await rpc.write(NODE, put('tail/b', value))).written).toBe(true);
    const handed = await waiting;
    expect(handed.versions.map((version) => [version.key, version.value])).toEqual([['tail/b', value]]);
    expect(handed.pending).toEqual({ backlog: 1, oldestPendingAtMs: handed.versions[0].hlcWallMs });
    const [positionOfB] = await query<{ txid: string; id: string }>(shardUrl, `SELECT txid::text AS txid, id::text AS id FROM outbox WHERE key = 'tail/b'`);
    expect(handed.next).toEqual(positionOfB);

    // A reader behind the tail (a stream whose shipment was travelling) is served the commits since from memory too.
    for (const key of ['tail/c', 'tail/d']) expect((await rpc.write(NODE, put(key, randomBytes(8)))).written).toBe(true);
    const behind = await read({ after: handed.next! });
    expect(behind.versions.map((version) => version.key)).toEqual(['tail/c', 'tail/d']);
    expect(behind.pending).toEqual({ backlog: 2, oldestPendingAtMs: behind.versions[0].hlcWallMs });
    expect(await metricValue('geokv_db_query_duration_seconds_count', { query: 'read_outbox_after' })).toBe(readsBefore);
    expect(await metricValue('geokv_db_query_duration_seconds_count', { query: 'ack_and_read_outbox_after' })).toBe(acksBefore);

    // The positions it hands over are where the shard's own order puts the rows: reading on finds nothing, and
    // neither does the wait at the tail when nothing is written.
    const [positionOfD] = await query<{ txid: string; id: string }>(shardUrl, `SELECT txid::text AS txid, id::text AS id FROM outbox WHERE key = 'tail/d'`);
    expect(behind.next).toEqual(positionOfD);
    expect(await read({ after: behind.next!, waitMs: 300 })).toEqual({ versions: [], next: null, pending: { backlog: 0, oldestPendingAtMs: null } });

    // A position it cannot place (as after a restart) is read from the shard, moving the cursor in the same statement.
    const fromShard = await read({ peer: 'it-shard-peer', after: { txid: '0', id: '0' }, acknowledge: positionOfD, limit: 1 });
    expect(fromShard.versions).toHaveLength(1);
    expect(await metricValue('geokv_db_query_duration_seconds_count', { query: 'ack_and_read_outbox_after' })).toBe(acksBefore + 1);
    expect(await ackedIdOf('it-shard-peer')).toBe(positionOfD.id);

    // The acknowledgement the served reads carried reaches the cursor within a flush.
    await pollUntil(() => ackedIdOf('it-tail-peer'), (acked) => acked === tail.id, {
      timeoutMs: 5_000,
      what: "the tail read's acknowledgement to move the cursor",
    });
  }, 30_000);

  it('keeps an acknowledgement served from memory that the database refused, and moves the cursor once it takes it', async () => {
    const peer = 'it-retry-peer';
    const read = (request: Partial<OutboxReadRequest>): Promise<OutboxReadResult> =>
      rpc.outboxRead(NODE, { requestId: 'it-retry', peer, limit: 10_000, waitMs: 0, countPending: true, ...request });
    expect((await rpc.write(NODE, put('retry/a', randomBytes(8)))).written).toBe(true);
    const caughtUp = await pollUntil(() => read({}), (page) => page.versions.at(-1)?.key === 'retry/a', {
      timeoutMs: 5_000,
      what: 'the outbox to be readable up to retry/a',
    });
    const tail = caughtUp.next!;
    expect((await rpc.write(NODE, put('retry/b', randomBytes(8)))).written).toBe(true);

    // The cursors' table out of reach: every statement on it fails, as with the database down.
    await query(shardUrl, 'ALTER TABLE replication_cursors RENAME TO replication_cursors_away');
    try {
      const served = await read({ after: tail, acknowledge: tail });
      expect(served.versions.map((version) => version.key)).toEqual(['retry/b']);
      // Three flushes fail meanwhile.
      await sleep(1_600);
      expect(await ackedIdOf(peer, 'replication_cursors_away')).not.toBe(tail.id);
    } finally {
      await query(shardUrl, 'ALTER TABLE replication_cursors_away RENAME TO replication_cursors');
    }
    // No read carries the acknowledgement again: only the node's retry can move the cursor now.
    await pollUntil(() => ackedIdOf(peer), (acked) => acked === tail.id, {
      timeoutMs: 5_000,
      what: 'the refused acknowledgement to reach the cursor once the table is back',
    });
  }, 30_000);

  it('still takes an acknowledgement of its own, as replicators of an earlier release send it', async () => {
    expect((await rpc.write(NODE, put('outbox/old-peer', randomBytes(8)))).written).toBe(true);
    const [last] = await query<{ txid: string; id: string }>(shardUrl, `SELECT txid::text AS txid, id::text AS id FROM outbox ORDER BY txid DESC, id DESC LIMIT 1`);
    expect(await rpc.outboxAck(NODE, { requestId: 'it-old-ack', peer: 'it-old-peer', position: last })).toEqual({ acknowledged: true });
    expect(await ackedIdOf('it-old-peer')).toBe(last.id);
  }, 30_000);

  it('reads the outbox in pages of at most 4 MiB of values (and one more value), however many rows a reader asks for', async () => {
    const values = Array.from({ length: 10 }, () => randomBytes(1_048_576));
    for (const [i, value] of values.entries()) expect((await rpc.write(NODE, put(`big-outbox/${i}`, value))).written).toBe(true);

    // A new peer reads from the start of the outbox, which the shard serves.
    const big: { key: string; value: Buffer }[] = [];
    let after: OutboxPosition | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await rpc.outboxRead(NODE, { requestId: `it-big-${pages}`, peer: 'it-big-peer', limit: 500, waitMs: 0, countPending: false, ...(after ? { after } : {}) });
      if (page.versions.length === 0) break;
      // Every value but the last fits in 4 MiB: the page stops once the values before a row reach it.
      expect(valueBytesOf(page.versions.slice(0, -1))).toBeLessThan(4 * 1_048_576);
      for (const version of page.versions) if (version.key.startsWith('big-outbox/')) big.push({ key: version.key, value: version.value! });
      after = page.next!;
    }
    expect(big.map((row) => row.key)).toEqual(values.map((_, i) => `big-outbox/${i}`));
    big.forEach((row, i) => expect(row.value.equals(values[i])).toBe(true));
  }, 60_000);

  it('acknowledges 200 concurrent writes, each with its outbox row, grouped into commits of more than one write', async () => {
    const deleted = Array.from({ length: 20 }, (_, i) => `group/${String(i * 10).padStart(3, '0')}-gone`);
    for (const key of deleted) expect((await rpc.write(NODE, put(key, randomBytes(16)))).written).toBe(true);
    const batchesBefore = await metricValue('geokv_write_batch_size_count');
    const writesBefore = await metricValue('geokv_write_batch_size_sum');
    // Lengths that vary (an empty value among them) and deletes in the same commits: a commit carries its
    // values end to end in one parameter, and each row must get exactly its own bytes, or none.
    const values = Array.from({ length: 200 }, (_, i) => randomBytes((i * 37) % 301));

    const results = await Promise.all([
      ...values.map((value, i) => rpc.write(NODE, put(`group/${String(i).padStart(3, '0')}`, value))),
      ...deleted.map((key) => rpc.write(NODE, { ...put(key, Buffer.alloc(0)), tombstone: true, value: undefined })),
    ]);

    expect(results.every((result) => result.written)).toBe(true);
    expect(await outboxRows('group/')).toBe(240);
    for (const table of ['versions', 'outbox']) {
      const stored = await query<{ key: string; value: Buffer }>(
        shardUrl,
        `SELECT key, value FROM ${table} WHERE key LIKE 'group/%' AND key NOT LIKE '%-gone' ORDER BY key`,
      );
      expect(stored).toHaveLength(200);
      stored.forEach((row, i) => expect([row.key, row.value.equals(values[i])]).toEqual([row.key, true]));
    }
    const tombstones = await query<{ tombstone: boolean; value: Buffer | null }>(shardUrl, `SELECT tombstone, value FROM versions WHERE key LIKE '%-gone'`);
    expect(tombstones).toEqual(Array(20).fill({ tombstone: true, value: null }));

    const batches = (await metricValue('geokv_write_batch_size_count')) - batchesBefore;
    const writes = (await metricValue('geokv_write_batch_size_sum')) - writesBefore;
    expect(writes).toBe(220);
    // Fewer commits than writes: at least one commit carried several writes.
    expect(batches).toBeGreaterThanOrEqual(1);
    expect(batches).toBeLessThan(writes);
  }, 60_000);

  it('answers 50 reads at once of a key it has not cached with one read of the shard, then the write that follows', async () => {
    const loadsBefore = await metricValue('geokv_db_query_duration_seconds_count', { query: 'load_versions' });
    const joinedBefore = await metricValue('geokv_cache_lookups_total', { result: 'joined' });
    const hitsBefore = await metricValue('geokv_cache_lookups_total', { result: 'hit' });
    const readAll = (): Promise<ReadResult[]> =>
      Promise.all(Array.from({ length: 50 }, (_, i) => rpc.read(NODE, { requestId: `it-herd-${i}`, keyspace: 'default', key: 'herd/cold' })));

    const absent = await readAll();

    expect(absent.every((result) => result.versions.length === 0)).toBe(true);
    expect((await metricValue('geokv_db_query_duration_seconds_count', { query: 'load_versions' })) - loadsBefore).toBe(1);
    // Those that came while the read ran shared it; any that came after it found its answer cached.
    const joined = (await metricValue('geokv_cache_lookups_total', { result: 'joined' })) - joinedBefore;
    const hits = (await metricValue('geokv_cache_lookups_total', { result: 'hit' })) - hitsBefore;
    expect(joined).toBeGreaterThan(0);
    expect(joined + hits).toBe(49);

    const value = randomBytes(16);
    expect((await rpc.write(NODE, put('herd/cold', value))).written).toBe(true);
    const present = await readAll();
    expect(present.map((result) => result.versions.map((version) => version.value))).toEqual(Array(50).fill([value]));
  }, 30_000);

  it('reads 60 keys it has not cached, asked for at once, with a few statements, each key answered with its own rows', async () => {
    // Versions from another region leave only marks here, so these keys have rows the cache does not hold.
    const stored = Array.from({ length: 30 }, (_, i) => `cold-many/stored-${i}`);
    const absent = Array.from({ length: 30 }, (_, i) => `cold-many/absent-${i}`);
    const versions = stored.map((key, i) => versionFromEuWest(key, `value of ${key}`, i + 1));
    expect((await rpc.applyRemote(NODE, { requestId: 'it-cold-many', strategies: { default: 'lww' }, versions })).applied).toBe(30);
    const loadsBefore = await metricValue('geokv_db_query_duration_seconds_count', { query: 'load_versions' });
    const missesBefore = await metricValue('geokv_cache_lookups_total', { tier: 'l1', result: 'miss' });

    const keys = [...stored, ...absent];
    const results = await Promise.all(keys.map((key, i) => rpc.read(NODE, { requestId: `it-cold-many-${i}`, keyspace: 'default', key })));

    const values = results.map((result) => result.versions.map((version) => version.value.toString('utf8')));
    expect(values).toEqual(keys.map((key) => (key.includes('/stored-') ? [`value of ${key}`] : [])));
    expect((await metricValue('geokv_cache_lookups_total', { tier: 'l1', result: 'miss' })) - missesBefore).toBe(60);
    // The test publishes the 60 requests in one write, and the node reads the misses of a turn together:
    // one statement when they reach it in one socket read, a few when Redis (which reads 16 KB at a time)
    // passes them on in parts that land in different turns; 60 without the turn's reads sent together.
    expect((await metricValue('geokv_db_query_duration_seconds_count', { query: 'load_versions' })) - loadsBefore).toBeLessThanOrEqual(10);
  }, 30_000);

  it('hides a value once its TTL has passed', async () => {
    const value = Buffer.from('short-lived');
    const written = await rpc.write(NODE, put('ttl/one', value, { ttlSeconds: 1 }));
    const ackedAt = Date.now();
    expect(written.written).toBe(true);

    const fresh = await rpc.read(NODE, { requestId: 'it-ttl-1', keyspace: 'default', key: 'ttl/one' });
    expect(fresh.versions).toHaveLength(1);
    expect(fresh.versions[0].value.toString('utf8')).toBe('short-lived');
    expect(fresh.versions[0].expiresAtMs).toEqual(expect.any(Number));
    expect(fresh.versions[0].expiresAtMs!).toBeLessThanOrEqual(ackedAt + 1_000);

    await sleep(Math.max(0, ackedAt + 1_500 - Date.now()));
    const expired = await rpc.read(NODE, { requestId: 'it-ttl-2', keyspace: 'default', key: 'ttl/one' });
    expect(expired.versions).toEqual([]);
    // The key still has a history (the context), just no live value.
    expect(expired.context).toEqual(expect.any(String));
  }, 30_000);

  it("lists the keys it holds acceptor state for, by prefix and page, only to an asker that has seen the rebalances it has", async () => {
    await query(
      shardUrl,
      `INSERT INTO acceptor_state (keyspace, key, promised_counter, promised_proposer)
       SELECT 'ledger', k, 1, 'us-east.p' FROM unnest(ARRAY['a/1', 'a/2', 'a/3', 'b/1', 'a/é']) AS k`,
    );
    const ask = (after: string | null, lastRebalanceId: number | null) =>
      rpc.acceptorKeys(NODE, { requestId: 'it-acceptor-keys', keyspace: 'ledger', prefix: 'a/', after, limit: 2, lastRebalanceId });
    expect(await ask(null, null)).toEqual({ keys: ['a/1', 'a/2'] });
    expect(await ask('a/2', null)).toEqual({ keys: ['a/3', 'a/é'] });
    expect(await ask('a/é', null)).toEqual({ keys: [] });
    // An asker whose view of the ring has a rebalance finish that this node's has not (or the other way round).
    expect((await rpcErrorOf(ask(null, 7))).code).toBe(ErrorCode.NotAcceptor);
  }, 30_000);

  it("gives a peer region rebuilding a lost node the acceptor state of exactly that node's keys, page by page", async () => {
    await query(
      shardUrl,
      `INSERT INTO acceptor_state (keyspace, key, promised_counter, promised_proposer)
       SELECT 'rebuild', 'k' || i, i, 'eu-west.p' FROM generate_series(1, 60) AS i`,
    );
    const lost: LostAcceptor = { node: 'eu-n2', members: ['eu-n1', 'eu-n2', 'eu-n3'], vnodesPerNode: 16 };
    const rows = await query<{ keyspace: string; key: string; promised: string }>(shardUrl, `SELECT keyspace, key, promised_counter AS promised FROM acceptor_state`);
    const held = heldByLostAcceptor(lost);
    const expected = rows.filter(held).sort(compareAcceptorKeys);
    expect(expected.length).toBeGreaterThan(5);
    expect(expected.length).toBeLessThan(rows.length);

    const seen: { keyspace: string; key: string; promised: string }[] = [];
    let after: AcceptorKey | null = null;
    for (let page = 0; page < 100; page++) {
      const answer = await rpc.acceptorStates(NODE, { requestId: 'it-acceptor-states', lost, after, limit: 7, lastRebalanceId: null });
      seen.push(...answer.records.map((record) => ({ keyspace: record.keyspace, key: record.key, promised: String(record.state.promised?.counter) })));
      if (answer.scannedThrough === null) break;
      after = answer.scannedThrough;
    }
    expect(seen).toEqual(expected);
    // Pages end at about 4 MiB of values: 1 MiB values held by the lost node come at most five to a page.
    await query(
      shardUrl,
      `INSERT INTO acceptor_state (keyspace, key, promised_counter, promised_proposer, accepted_counter, accepted_proposer, value, content_type,
                                   etag, last_modified_ms, origin_region, tombstone, recent_ops, version)
       SELECT 'rebuild-big', 'b' || i, 2, 'eu-west.p', 2, 'eu-west.p', convert_to(repeat('x', 1048576), 'UTF8'), 'text/plain',
              'e' || i, 0, 'eu-west', false, ARRAY[]::text[], 1 FROM generate_series(1, 24) AS i`,
    );
    const bigRows = (await query<{ keyspace: string; key: string }>(shardUrl, `SELECT keyspace, key FROM acceptor_state WHERE keyspace = 'rebuild-big'`)).filter(held);
    const bigSeen: string[] = [];
    after = { keyspace: 'rebuild-big', key: '' };
    for (let page = 0; page < 100 && after !== null; page++) {
      const answer = await rpc.acceptorStates(NODE, { requestId: 'it-acceptor-states', lost, after, limit: 64, lastRebalanceId: null }, 30_000);
      const big = answer.records.filter((record) => record.keyspace === 'rebuild-big');
      expect(big.length).toBeLessThanOrEqual(5);
      bigSeen.push(...big.map((record) => `${record.key}:${record.state.accepted?.value?.value.length}`));
      after = answer.scannedThrough;
    }
    expect(bigSeen.sort()).toEqual(bigRows.map((row) => `${row.key}:1048576`).sort());
    expect(bigRows.length).toBeGreaterThan(5);

    // An asker whose view has seen another rebalance finish is refused, as a listing is.
    const refused = rpc.acceptorStates(NODE, { requestId: 'it-acceptor-states', lost, after: null, limit: 7, lastRebalanceId: 3 });
    expect((await rpcErrorOf(refused)).code).toBe(ErrorCode.NotAcceptor);
  }, 30_000);

  it('answers as an acceptor only while membership confirms its view: not once its lease lapses, again once membership is back', async () => {
    const prepare = (counter: number) =>
      rpc.prepare(NODE, { items: [{ requestId: 'it-lease', keyspace: 'lease', key: 'k', ballot: { counter, proposer: 'us-east.test' } }] });
    expect((await prepare(1)).outcomes[0].ok).toBe(true);
    await lone.membership.stop();
    try {
      // Within the lease (2 s) of its last answered heartbeat, then no more.
      const lapsed = await pollUntil(() => prepare(2), (batch) => !batch.outcomes[0].ok, { timeoutMs: 10_000, what: 'the lease to lapse' });
      expect(lapsed.outcomes[0]).toEqual({ ok: false, error: expect.objectContaining({ code: ErrorCode.NotAcceptor }) });
    } finally {
      await lone.membership.restart();
      await lone.membership.waitReady();
    }
    const answered = await pollUntil(() => prepare(3), (batch) => batch.outcomes[0].ok, { timeoutMs: 15_000, what: 'the node to answer again' });
    expect(answered.outcomes[0]).toEqual({ ok: true, value: expect.objectContaining({ promised: true }) });
  }, 60_000);

  it('rejects a malformed context token with MALFORMED_CONTEXT and writes nothing', async () => {
    const before = await outboxRows('');
    for (const context of ['not a token!', 'AQ', 'Ag', 'AQA=']) {
      const error = await rpcErrorOf(rpc.write(NODE, put('malformed/ctx', Buffer.from('x'), { context })));
      expect(error.code).toBe(ErrorCode.MalformedContext);
    }
    expect(await outboxRows('')).toBe(before);
    const read = await rpc.read(NODE, { requestId: 'it-malformed', keyspace: 'default', key: 'malformed/ctx' });
    expect(read).toEqual({ versions: [], context: null });
  }, 30_000);

  it('loses no acknowledged write when killed with SIGKILL and restarted', async () => {
    await explainWithLogs(apps(), async () => {
      const values = Array.from({ length: 300 }, (_, i) => randomBytes(1 + ((i * 37) % 512)));
      const keys = values.map((_, i) => `crash/${String(i).padStart(3, '0')}`);
      const acks = await mapWithConcurrency(values, 50, (value, i) => rpc.write(NODE, put(keys[i], value)));
      expect(acks.every((ack) => ack.written)).toBe(true);

      node.kill('SIGKILL');
      expect((await node.waitExit(10_000)).signal).toBe('SIGKILL');
      await node.restart();
      await node.waitReady();

      // Ready over HTTP first; the transport subscription follows within moments.
      const read = (key: string) => rpc.read(NODE, { requestId: `it-${key}`, keyspace: 'default', key }, 2_000);
      await pollUntil(() => read(keys[0]), (result) => result.versions.length === 1, { timeoutMs: 20_000, what: 'the restarted node to answer reads' });
      const reads = await mapWithConcurrency(keys, 50, (key) => read(key));
      reads.forEach((result, i) => {
        expect(result.versions).toHaveLength(1);
        expect(result.versions[0].value.equals(values[i])).toBe(true);
        expect(result.versions[0].etag).toBe(acks[i].etag);
      });
      expect(await outboxRows('crash/')).toBe(300);
    });
  }, 90_000);

  it("caches another region's version only once it is read here, and merges a later write with it without guessing the key absent", async () => {
    await explainWithLogs(apps(), async () => {
      const lookups = (result: 'hit' | 'miss'): Promise<number> => metricValue('geokv_cache_lookups_total', { tier: 'l1', result });
      const applyFromEuWest = async (key: string, value: string): Promise<void> => {
        const result = await rpc.applyRemote(NODE, { requestId: `it-apply-${key}`, strategies: { default: 'lww' }, versions: [versionFromEuWest(key, value)] });
        expect(result.applied).toBe(1);
      };
      const read = async (key: string): Promise<string[]> => {
        const result = await rpc.read(NODE, { requestId: `it-read-${key}`, keyspace: 'default', key });
        return result.versions.map((version) => version.value.toString('utf8'));
      };

      await applyFromEuWest('from-eu-west/read', 'written in eu-west');
      const [missesBefore, hitsBefore] = [await lookups('miss'), await lookups('hit')];
      expect(await read('from-eu-west/read')).toEqual(['written in eu-west']);
      expect(await read('from-eu-west/read')).toEqual(['written in eu-west']);
      // The first read went to the shard and left the version in the cache for the second.
      expect((await lookups('miss')) - missesBefore).toBe(1);
      expect((await lookups('hit')) - hitsBefore).toBe(1);

      await applyFromEuWest('from-eu-west/unread', 'written in eu-west');
      // (Before any test makes a guess miss: batches then read first for a while, and this could not tell.)
      const guessesMissedBefore = await metricValue('geokv_write_absence_guesses_missed_total');
      const overwritten = await rpc.write(NODE, put('from-eu-west/unread', Buffer.from('written here over it')));
      // The write merged with the stored version (its context descends it), and read the key first: the node
      // knew it held rows for the key it had not cached, so it did not guess it absent.
      expect(decodeContext(overwritten.context)).toEqual({ 'eu-west/n9': 1, 'us-east/n1': expect.any(Number) });
      expect(await metricValue('geokv_write_absence_guesses_missed_total')).toBe(guessesMissedBefore);
      expect(await read('from-eu-west/unread')).toEqual(['written here over it']);
    });
  }, 60_000);

  it('merges a write with what the shard stores for a key it has not cached: after a restart, or a row restored behind its back', async () => {
    await explainWithLogs(apps(), async () => {
      const original = await rpc.write(NODE, put('uncached/restarted', Buffer.from('before the restart')));
      expect(decodeContext(original.context)).toEqual({ 'us-east/n1': 1 });
      // A fresh process: an empty cache, and no guess about absent keys has missed yet.
      await node.stop();
      await node.restart();
      await node.waitReady();
      // Polls another key: a read of the keys under test would put them in the cache.
      const probe = (): Promise<unknown> => rpc.read(NODE, { requestId: 'it-probe', keyspace: 'default', key: 'uncached/probe' }, 2_000);
      await pollUntil(probe, () => true, { timeoutMs: 20_000, what: 'the restarted node to answer over the transport' });
      // A version by another region's node, as a restored backup would bring back.
      await query(
        shardUrl,
        `INSERT INTO versions (keyspace, key, dot_actor, dot_counter, context, hlc_wall_ms, hlc_logical, origin_region, tombstone, value, content_type)
         VALUES ('default', 'uncached/restored', 'eu-west/n9', 5, '{"eu-west/n9": 5}', $1, 0, 'eu-west', false, $2, 'text/plain')`,
        [Date.now(), Buffer.from('restored')],
      );
      const missesBefore = await metricValue('geokv_write_absence_guesses_missed_total');

      const afterRestart = await rpc.write(NODE, put('uncached/restarted', Buffer.from('after the restart')));
      const overRestored = await rpc.write(NODE, put('uncached/restored', Buffer.from('over the restored one')));

      // Blind writes replace every version the node stores for their keys, seen or not.
      expect(decodeContext(afterRestart.context)).toEqual({ 'us-east/n1': 2 });
      expect(decodeContext(overRestored.context)).toEqual({ 'eu-west/n9': 5, 'us-east/n1': 1 });
      for (const [key, value] of [['uncached/restarted', 'after the restart'], ['uncached/restored', 'over the restored one']]) {
        const rows = await query<{ value: Buffer }>(shardUrl, `SELECT value FROM versions WHERE keyspace = 'default' AND key = $1`, [key]);
        expect(rows.map((row) => row.value.toString('utf8'))).toEqual([value]);
        const read = await rpc.read(NODE, { requestId: `it-${key}`, keyspace: 'default', key });
        expect(read.versions.map((version) => version.value.toString('utf8'))).toEqual([value]);
      }
      // One replication-log row per acknowledged write: the statement whose guess was wrong wrote nothing.
      expect(await outboxRows('uncached/restarted')).toBe(2);
      expect(await outboxRows('uncached/restored')).toBe(1);
      // The first write guessed its key absent, the shard said otherwise, and it was merged again; the
      // second read its key first, as batches do for a while after a wrong guess.
      expect((await metricValue('geokv_write_absence_guesses_missed_total')) - missesBefore).toBe(1);
    });
  }, 90_000);

  it('reports not ready while its Redis is down, and ready (and serving) again once Redis is back', async () => {
    await explainWithLogs(apps(), async () => {
      const ready = () => http(`${node.httpUrl}/health/ready`, { timeoutMs: 5_000 });
      expect((await ready()).status).toBe(200);

      redis.kill('SIGKILL');
      const down = await pollUntil(ready, (response) => response.status === 503, { timeoutMs: 15_000, what: 'readiness to turn 503' });
      const downBody = jsonOf(down);
      expect(downBody).toEqual(expect.objectContaining({ status: 'error', error: expect.objectContaining({ redis: expect.objectContaining({ status: 'down' }) }) }));
      // Liveness is not readiness: the process itself is fine.
      expect((await http(`${node.httpUrl}/health/live`)).status).toBe(200);

      await redis.restart();
      await pollUntil(ready, (response) => response.status === 200, { timeoutMs: 30_000, what: 'readiness to turn 200 again' });
      const value = Buffer.from('after redis restart');
      await pollUntil(
        () => rpc.write(NODE, put('redis/back', value), 2_000),
        (result) => result.written,
        { timeoutMs: 30_000, what: 'the node to serve writes over the transport again' },
      );
      // Every attempt was a blind write of the same value, so whichever landed last, this is what reads see.
      const read = await rpc.read(NODE, { requestId: 'it-redis-back', keyspace: 'default', key: 'redis/back' });
      expect(read.versions.map((version) => version.value.toString('utf8'))).toEqual(['after redis restart']);
    });
  }, 90_000);
});
