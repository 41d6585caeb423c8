import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import Redis from 'ioredis';
import { decodeWire } from '@geokv/config';
import { databaseUrl } from '@geokv/test-support';
import { MembershipEvents } from '@geokv/protocol';
import { mapWithConcurrency } from '../support/concurrency';
import { expectApiError, expectStatus, http, jsonOf, keyPath, pollUntil, type HttpResult } from '../support/http';
import { ownerOf, query, ringOf } from '../support/shard-db';
import { explainWithLogs, startTestRegion, type TestRegion } from '../support/test-region';

interface Sibling {
  readonly value: string;
  readonly encoding: 'utf8' | 'base64';
  readonly contentType: string;
  readonly etag: string;
  readonly originRegion: string;
  readonly lastModified: string;
}

/** The value of the first series of `name` whose labels include every one of `labels`; 0 when none. */
function seriesValue(text: string, name: string, labels: Record<string, string>): number {
  const line = text
    .split('\n')
    .find((candidate) => candidate.startsWith(`${name}{`) && Object.entries(labels).every(([label, value]) => candidate.includes(`${label}="${value}"`)));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(' ') + 1));
}

async function scrape(baseUrl: string): Promise<string> {
  const response = await http(`${baseUrl}/metrics`);
  expectStatus(response, 200);
  return response.body.toString('utf8');
}

interface KeyPage {
  readonly keys: string[];
  readonly cursor: string | null;
}

/** The HTTP API of one region of three storage nodes, as a client sees it. */
/** Low enough that a test can reach it, above the race tests' twelve writers. */
const MAX_SIBLINGS = 16;

describe('KV API over HTTP (one region, three storage nodes)', () => {
  let cluster: TestRegion;
  let gw: string;

  beforeAll(async () => {
    cluster = await startTestRegion({
      suite: 'kv-api',
      appEnv: {
        'storage-node': { GEOKV_MAX_SIBLINGS: String(MAX_SIBLINGS) },
        // Far beyond any test's wait, so that a gateway catching up on the catalog can only have heard membership.
        gateway: { GEOKV_RING_POLL_INTERVAL_MS: '120000' },
      },
    });
    gw = cluster.gatewayUrl;
    for (const [name, policy] of [
      ['siblings-ks', { conflictResolution: 'siblings' }],
      ['lww-ks', { conflictResolution: 'lww' }],
      ['ttl-ks', { defaultTtlSeconds: 2 }],
      ['listing-ks', {}],
    ] as const) {
      expectStatus(await http(`${gw}/v1/keyspaces/${name}`, { method: 'PUT', body: JSON.stringify(policy), headers: { 'content-type': 'application/json' } }), 200);
    }
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  const url = (keyspace: string, key: string): string => `${gw}/v1/kv/${keyspace}/${keyPath(key)}`;
  const get = (keyspace: string, key: string, headers: Record<string, string> = {}): Promise<HttpResult> => http(url(keyspace, key), { headers });
  const put = (keyspace: string, key: string, body: Buffer | string, headers: Record<string, string> = {}): Promise<HttpResult> =>
    http(url(keyspace, key), { method: 'PUT', body, headers });

  /** Writes the storage nodes refused for the sibling limits, summed over the region. */
  async function refusalsOf(keyspace: string): Promise<number> {
    const counts = await Promise.all(
      cluster.region.storageNodes.map(async (node) => seriesValue(await scrape(node.process.httpUrl), 'geokv_sibling_limit_refusals_total', { keyspace })),
    );
    return counts.reduce((sum, count) => sum + count, 0);
  }

  function expectCommonHeaders(result: HttpResult): void {
    expect(result.headers.get('x-request-id')).toEqual(expect.any(String));
    expect(result.headers.get('x-served-by-region')).toBe('us-east');
  }

  describe('values', () => {
    it('stores random bytes and text exactly, with their content types, and deletes them', async () => {
      const cases: { key: string; body: Buffer; contentType: string }[] = [
        { key: 'bin/random', body: randomBytes(64 * 1024), contentType: 'application/octet-stream' },
        { key: 'bin/every-byte', body: Buffer.from(Array.from({ length: 256 }, (_, i) => i)), contentType: 'image/png' },
        { key: 'text/ключ/日本語 with spaces', body: Buffer.from('héllo wörld ✓\n', 'utf8'), contentType: 'text/plain; charset=utf-8' },
        { key: 'json/doc', body: Buffer.from('{"a":[1,2,3]}'), contentType: 'application/json' },
        // Declared JSON but not JSON: a value is bytes, never parsed.
        { key: 'json/broken', body: Buffer.from('{not json'), contentType: 'application/json' },
        { key: 'form', body: Buffer.from('a=1&b=2'), contentType: 'application/x-www-form-urlencoded' },
        { key: 'empty', body: Buffer.alloc(0), contentType: 'application/x-empty' },
      ];
      for (const { key, body, contentType } of cases) {
        const written = await put('default', key, body, { 'content-type': contentType });
        expectStatus(written, 204);
        expectCommonHeaders(written);
        expect(written.body).toHaveLength(0);
        const etag = written.headers.get('etag');
        const context = written.headers.get('x-causal-context');
        expect(etag).toMatch(/^"[A-Za-z0-9_-]+"$/);
        expect(context).toMatch(/^[A-Za-z0-9_-]+$/);

        const read = await get('default', key);
        expectStatus(read, 200);
        expectCommonHeaders(read);
        expect(read.body.equals(body)).toBe(true);
        expect(read.headers.get('content-type')).toBe(contentType);
        expect(read.headers.get('etag')).toBe(etag);
        expect(read.headers.get('x-causal-context')).toBe(context);
      }

      const deleted = await http(url('default', 'bin/random'), { method: 'DELETE' });
      expectStatus(deleted, 204);
      expectCommonHeaders(deleted);
      const gone = await get('default', 'bin/random');
      expectApiError(gone, 404, 'NOT_FOUND');
      // The 404 of a deleted key carries its context, so a client can write after the delete causally.
      expect(gone.headers.get('x-causal-context')).toMatch(/^[A-Za-z0-9_-]+$/);
      expectApiError(await get('default', 'never/written'), 404, 'NOT_FOUND');
      // The other values are untouched by the delete.
      expect((await get('default', 'bin/every-byte')).body.equals(cases[1].body)).toBe(true);
    }, 60_000);

    it('overwrites with a blind write, and answers 300 with every sibling for concurrent writes', async () => {
      const first = await put('siblings-ks', 'cart', 'apple', { 'content-type': 'text/plain' });
      expectStatus(first, 204);
      const context = first.headers.get('x-causal-context')!;
      // Two clients read the same context and write concurrently: a text and a binary value.
      const binary = randomBytes(32);
      expectStatus(await put('siblings-ks', 'cart', 'banana', { 'content-type': 'text/plain', 'x-causal-context': context }), 204);
      expectStatus(await put('siblings-ks', 'cart', binary, { 'content-type': 'application/octet-stream', 'x-causal-context': context }), 204);

      const read = await get('siblings-ks', 'cart');
      expectStatus(read, 300);
      expectCommonHeaders(read);
      expect(read.headers.get('content-type')).toMatch(/^application\/json/);
      const siblingContext = read.headers.get('x-causal-context');
      expect(siblingContext).toMatch(/^[A-Za-z0-9_-]+$/);
      const { siblings } = jsonOf(read) as { siblings: Sibling[] };
      expect(siblings).toHaveLength(2);
      for (const sibling of siblings) {
        expect(sibling).toEqual({
          value: expect.any(String),
          encoding: expect.stringMatching(/^(utf8|base64)$/),
          contentType: expect.any(String),
          etag: expect.any(String),
          originRegion: 'us-east',
          lastModified: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        });
      }
      const text = siblings.find((sibling) => sibling.contentType === 'text/plain');
      const bytes = siblings.find((sibling) => sibling.contentType === 'application/octet-stream');
      expect(text).toEqual(expect.objectContaining({ value: 'banana', encoding: 'utf8' }));
      expect(bytes).toEqual(expect.objectContaining({ value: binary.toString('base64'), encoding: 'base64' }));

      // Writing with the context of the 300 resolves the siblings into one value.
      expectStatus(await put('siblings-ks', 'cart', 'apple+banana', { 'content-type': 'text/plain', 'x-causal-context': siblingContext! }), 204);
      const resolved = await get('siblings-ks', 'cart');
      expectStatus(resolved, 200);
      expect(resolved.body.toString('utf8')).toBe('apple+banana');

      // A blind write (no context) supersedes everything the node holds.
      expectStatus(await put('siblings-ks', 'cart', 'blind', { 'content-type': 'text/plain' }), 204);
      expect((await get('siblings-ks', 'cart')).body.toString('utf8')).toBe('blind');
    }, 30_000);
  });

  describe('concurrent writers with the same context', () => {
    const WRITERS = 12;

    async function raceFromOneContext(keyspace: string, key: string): Promise<string[]> {
      const base = await put(keyspace, key, 'base', { 'content-type': 'text/plain' });
      expectStatus(base, 204);
      const context = base.headers.get('x-causal-context')!;
      const values = Array.from({ length: WRITERS }, (_, i) => `writer-${i}-${randomBytes(4).toString('hex')}`);
      const results = await Promise.all(values.map((value) => put(keyspace, key, value, { 'content-type': 'text/plain', 'x-causal-context': context })));
      results.forEach((result) => expectStatus(result, 204));
      return values;
    }

    it('under lww: exactly one value is visible and every other one is kept in the conflicts table', async () => {
      const key = 'race/lww';
      const values = await raceFromOneContext('lww-ks', key);

      const read = await get('lww-ks', key);
      expectStatus(read, 200);
      const visible = read.body.toString('utf8');
      expect(values).toContain(visible);

      const owner = cluster.region.storageNode(ownerOf(await ringOf(gw), 'lww-ks', key));
      const conflicts = await query<{ value: Buffer; resolution: string }>(
        owner.databaseUrl,
        `SELECT value, resolution FROM conflicts WHERE keyspace = $1 AND key = $2`,
        ['lww-ks', key],
      );
      const losers = conflicts.map((row) => row.value.toString('utf8'));
      expect(conflicts.every((row) => row.resolution === 'lww')).toBe(true);
      // Nothing silently lost: the visible value plus the losers are exactly the values written.
      expect([visible, ...losers].sort()).toEqual([...values].sort());
    }, 30_000);

    it('under siblings: the 300 answer holds every concurrent value', async () => {
      const values = await raceFromOneContext('siblings-ks', 'race/siblings');
      const read = await get('siblings-ks', 'race/siblings');
      expectStatus(read, 300);
      const { siblings } = jsonOf(read) as { siblings: Sibling[] };
      expect(siblings.map((sibling) => sibling.value).sort()).toEqual([...values].sort());
      expect(siblings.every((sibling) => sibling.encoding === 'utf8')).toBe(true);
      expect(new Set(siblings.map((sibling) => sibling.etag)).size).toBe(WRITERS);
    }, 30_000);

    it('refuses the writes that would grow a key past GEOKV_MAX_SIBLINGS with 409, keeps every acknowledged one, and takes a merge', async () => {
      const key = 'race/over-the-limit';
      const base = await put('siblings-ks', key, 'base', { 'content-type': 'text/plain' });
      expectStatus(base, 204);
      const stale = { 'content-type': 'text/plain', 'x-causal-context': base.headers.get('x-causal-context')! };
      const refusalsBefore = await refusalsOf('siblings-ks');
      const values = Array.from({ length: MAX_SIBLINGS + 4 }, (_, i) => `writer-${i}-${randomBytes(4).toString('hex')}`);
      const results = await Promise.all(values.map((value) => put('siblings-ks', key, value, stale)));

      const acknowledged = values.filter((_, i) => results[i].status === 204);
      expect(acknowledged).toHaveLength(MAX_SIBLINGS);
      for (const refused of results.filter((result) => result.status !== 204)) {
        expectApiError(refused, 409, 'TOO_MANY_SIBLINGS');
        expect((jsonOf(refused) as { message: string }).message).toMatch(/write back one value/);
      }
      // Nothing acknowledged is missing and nothing refused was stored.
      const read = await get('siblings-ks', key);
      expectStatus(read, 300);
      expect((jsonOf(read) as { siblings: Sibling[] }).siblings.map((sibling) => sibling.value).sort()).toEqual([...acknowledged].sort());
      expect((await refusalsOf('siblings-ks')) - refusalsBefore).toBe(4);

      expectApiError(await put('siblings-ks', key, 'still-stale', stale), 409, 'TOO_MANY_SIBLINGS');
      const merge = await put('siblings-ks', key, 'merged', { 'content-type': 'text/plain', 'x-causal-context': read.headers.get('x-causal-context')! });
      expectStatus(merge, 204);
      const merged = await get('siblings-ks', key);
      expectStatus(merged, 200);
      expect(merged.body.toString('utf8')).toBe('merged');
    }, 30_000);

    it('If-None-Match: * lets exactly one of many concurrent creators win', async () => {
      const key = 'create/once';
      const values = Array.from({ length: 10 }, (_, i) => `creator-${i}`);
      const results = await Promise.all(values.map((value) => put('default', key, value, { 'if-none-match': '*' })));
      const winners = results.flatMap((result, i) => (result.status === 204 ? [values[i]] : []));
      expect(winners).toHaveLength(1);
      for (const result of results.filter((candidate) => candidate.status !== 204)) {
        expectApiError(result, 412, 'PRECONDITION_FAILED');
      }
      expect((await get('default', key)).body.toString('utf8')).toBe(winners[0]);

      // And once the key exists, a further create fails while If-Match with its etag succeeds.
      expectApiError(await put('default', key, 'late', { 'if-none-match': '*' }), 412, 'PRECONDITION_FAILED');
      const etag = (await get('default', key)).headers.get('etag')!;
      expectApiError(await put('default', key, 'stale', { 'if-match': '"not-the-etag"' }), 412, 'PRECONDITION_FAILED');
      expectStatus(await put('default', key, 'updated', { 'if-match': etag }), 204);
      expect((await get('default', key)).body.toString('utf8')).toBe('updated');
    }, 30_000);
  });

  it('expires values by X-TTL and by the keyspace default TTL (expired reads 404)', async () => {
    // Two seconds rather than one leaves a slow, loaded machine room to read the value before it expires.
    expectStatus(await put('default', 'ttl/header', 'soon gone', { 'x-ttl': '2' }), 204);
    expectStatus(await put('ttl-ks', 'ttl/default', 'also soon gone'), 204);
    // X-TTL overrides the keyspace default.
    expectStatus(await put('ttl-ks', 'ttl/override', 'stays', { 'x-ttl': '3600' }), 204);
    const writtenAt = Date.now();
    expectStatus(await get('default', 'ttl/header'), 200);
    expectStatus(await get('ttl-ks', 'ttl/default'), 200);

    await sleep(Math.max(0, writtenAt + 2_600 - Date.now()));
    expectApiError(await get('default', 'ttl/header'), 404, 'NOT_FOUND');
    expectApiError(await get('ttl-ks', 'ttl/default'), 404, 'NOT_FOUND');
    const kept = await get('ttl-ks', 'ttl/override');
    expectStatus(kept, 200);
    expect(kept.body.toString('utf8')).toBe('stays');
    // Expired keys are not listed either.
    const page = jsonOf(await http(`${gw}/v1/kv/ttl-ks?prefix=ttl%2F`)) as KeyPage;
    expect(page.keys).toEqual(['ttl/override']);
  }, 30_000);

  it('lists keys by prefix, page by page, each exactly once and in byte order', async () => {
    const inPrefix = [
      'users/a', 'users/B', 'users/b', 'users/z', 'users/~tilde', 'users/é', 'users/日本', 'users/😀', 'users/a/b', 'users/a-b',
      ...Array.from({ length: 40 }, (_, i) => `users/n${String(i).padStart(2, '0')}`),
    ];
    const outside = ['user', 'usersX', 'other/a', 'Users/a'];
    await mapWithConcurrency([...inPrefix, ...outside, 'users/deleted'], 10, async (key) => expectStatus(await put('listing-ks', key, key), 204));
    expectStatus(await http(url('listing-ks', 'users/deleted'), { method: 'DELETE' }), 204);
    // At once: the delete is acknowledged by W=2 of the key's three replicas, and the listing does not take
    // the third's word for it.
    expect(jsonOf(await http(`${gw}/v1/kv/listing-ks?prefix=${encodeURIComponent('users/deleted')}`))).toEqual({ keys: [], cursor: null });
    const expected = [...inPrefix].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

    const seen: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const query: string = `prefix=${encodeURIComponent('users/')}&limit=7${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
      const response = await http(`${gw}/v1/kv/listing-ks?${query}`);
      expectStatus(response, 200);
      const body = jsonOf(response) as KeyPage;
      expect(body.keys.length).toBeLessThanOrEqual(7);
      seen.push(...body.keys);
      cursor = body.cursor;
      if (cursor === null) break;
    }
    expect(cursor).toBeNull();
    expect(seen).toEqual(expected);

    // LIKE's wildcards in a prefix are literal characters.
    await mapWithConcurrency(['pct/50%', 'pct/500', 'under/a_c', 'under/abc'], 4, async (key) => expectStatus(await put('listing-ks', key, key), 204));
    expect((jsonOf(await http(`${gw}/v1/kv/listing-ks?prefix=${encodeURIComponent('pct/50%')}`)) as KeyPage).keys).toEqual(['pct/50%']);
    expect((jsonOf(await http(`${gw}/v1/kv/listing-ks?prefix=${encodeURIComponent('under/a_')}`)) as KeyPage).keys).toEqual(['under/a_c']);

    // Without a prefix, one big page has everything live in the keyspace, in byte order.
    const all = jsonOf(await http(`${gw}/v1/kv/listing-ks?limit=1000`)) as KeyPage;
    expect(all.keys).toEqual([...inPrefix, ...outside, 'pct/50%', 'pct/500', 'under/a_c', 'under/abc'].sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b))));
    expect(all.cursor).toBeNull();
  }, 60_000);

  it('does not list a deleted key that one replica still holds live, and repairs that replica', async () => {
    const key = 'stale-replica/deleted';
    expectStatus(await put('listing-ks', key, 'old value'), 204);
    const [stale] = cluster.region.storageNodes;
    const rowsOf = (): Promise<Record<string, unknown>[]> => query(stale.databaseUrl, "SELECT * FROM versions WHERE keyspace = 'listing-ks' AND key = $1", [key]);
    const live = await pollUntil(rowsOf, (rows) => rows.length === 1, { timeoutMs: 10_000, what: `the write to reach ${stale.id}` });
    expectStatus(await http(url('listing-ks', key), { method: 'DELETE' }), 204);
    await pollUntil(rowsOf, (rows) => rows.length === 1 && rows[0].tombstone === true, { timeoutMs: 10_000, what: `the delete to reach ${stale.id}` });

    // The replica loses the tombstone behind geokv's back and holds the old value again, as if the delete had
    // never reached it; a restart empties its cache.
    const columns = Object.keys(live[0]);
    await query(stale.databaseUrl, "DELETE FROM versions WHERE keyspace = 'listing-ks' AND key = $1", [key]);
    await query(
      stale.databaseUrl,
      `INSERT INTO versions (${columns.join(', ')}) VALUES (${columns.map((_, i) => `$${i + 1}`).join(', ')})`,
      columns.map((column) => (column === 'context' ? JSON.stringify(live[0][column]) : live[0][column])),
    );
    await stale.process.restart();
    await stale.process.waitReady(30_000);
    // A listing needs every node up (503 NODE_UNAVAILABLE otherwise), and the restarting node may have been
    // marked down meanwhile.
    const listing = await pollUntil(
      () => http(`${gw}/v1/kv/listing-ks?prefix=${encodeURIComponent('stale-replica/')}`),
      (result) => result.status !== 503,
      { timeoutMs: 15_000, intervalMs: 200, what: 'a listing with every node up again' },
    );
    expectStatus(listing, 200);
    expect(jsonOf(listing)).toEqual({ keys: [], cursor: null });
    expectStatus(await get('listing-ks', key), 404);
    // Reading the key to settle the disagreement also repaired the replica.
    await pollUntil(rowsOf, (rows) => rows.length === 1 && rows[0].tombstone === true, { timeoutMs: 10_000, what: `read repair to bring the tombstone back to ${stale.id}` });
  }, 60_000);

  it('counts requests in Prometheus metrics by route template and status, never by key', async () => {
    const route = { route: '/v1/kv/:keyspace/*', method: 'GET' };
    const before = await scrape(gw);
    expectStatus(await put('lww-ks', 'metrics/private-key-name', 'v'), 204);
    expectStatus(await get('lww-ks', 'metrics/private-key-name'), 200);
    expectStatus(await get('lww-ks', 'metrics/private-key-name'), 200);
    expectStatus(await get('lww-ks', 'metrics/absent-key-name'), 404);
    const after = await scrape(gw);
    const count = 'geokv_http_request_duration_seconds_count';
    expect(seriesValue(after, count, { ...route, status: '200' }) - seriesValue(before, count, { ...route, status: '200' })).toBe(2);
    expect(seriesValue(after, count, { ...route, status: '404' }) - seriesValue(before, count, { ...route, status: '404' })).toBe(1);
    expect(after).not.toContain('private-key-name');
    expect(after).not.toContain('absent-key-name');

    // The storage nodes count their cache lookups: the reads above hit the cache of the key's node.
    const hits = await Promise.all(cluster.region.storageNodes.map(async (node) => seriesValue(await scrape(node.process.httpUrl), 'geokv_cache_lookups_total', { result: 'hit' })));
    expect(hits.reduce((sum, value) => sum + value, 0)).toBeGreaterThan(0);
  }, 30_000);

  it('creates, reads and lists keyspaces', async () => {
    const created = await http(`${gw}/v1/keyspaces/orders`, {
      method: 'PUT',
      body: JSON.stringify({ conflictResolution: 'siblings', defaultTtlSeconds: 86_400 }),
      headers: { 'content-type': 'application/json' },
    });
    expectStatus(created, 200);
    expectCommonHeaders(created);
    const policy = {
      name: 'orders',
      consistency: 'eventual',
      conflictResolution: 'siblings',
      defaultTtlSeconds: 86_400,
      replicationFactor: 3,
      readQuorum: 2,
      writeQuorum: 2,
    };
    expect(jsonOf(created)).toEqual(policy);
    expect(jsonOf(await http(`${gw}/v1/keyspaces/orders`))).toEqual(policy);

    const listed = jsonOf(await http(`${gw}/v1/keyspaces`)) as { keyspaces: { name: string }[] };
    expect(listed.keyspaces).toEqual(expect.arrayContaining([policy, expect.objectContaining({ name: 'default', conflictResolution: 'lww', consistency: 'eventual' })]));

    // Changing a policy replaces it; the new keyspace is usable at once.
    const changed = await http(`${gw}/v1/keyspaces/orders`, { method: 'PUT', body: '{"conflictResolution":"lww"}' });
    expect(jsonOf(changed)).toEqual({ ...policy, conflictResolution: 'lww', defaultTtlSeconds: null });
    expectStatus(await put('orders', 'o-1', 'first order'), 204);
    expect((await get('orders', 'o-1')).body.toString('utf8')).toBe('first order');
    expectApiError(await http(`${gw}/v1/keyspaces/no-such-keyspace`), 404, 'KEYSPACE_NOT_FOUND');
  }, 30_000);

  it("has membership re-publish the ring and announce the catalog's version without a change, for processes that missed an event", async () => {
    const subscriber = new Redis(cluster.redis.url, { maxRetriesPerRequest: 1 });
    try {
      const heard = new Map<string, { epoch?: number; version?: number; keyspaces?: unknown }[]>();
      subscriber.on('messageBuffer', (channelBytes: Buffer, message: Buffer) => {
        const channel = channelBytes.toString();
        heard.set(channel, [...(heard.get(channel) ?? []), (decodeWire(message) as { data: { epoch?: number; version?: number } }).data]);
      });
      await subscriber.subscribe(MembershipEvents.ringChanged, MembershipEvents.catalogVersion);
      // Nothing changes meanwhile: both arrive on membership's timer (every 2 s), twice within 6 s.
      await pollUntil(
        () => Promise.resolve([heard.get(MembershipEvents.ringChanged)?.length ?? 0, heard.get(MembershipEvents.catalogVersion)?.length ?? 0]),
        (counts) => counts.every((count) => count >= 2),
        { timeoutMs: 6_000, what: "two broadcasts each of the ring and the catalog's version" },
      );
      const ring = jsonOf(await http(`${gw}/v1/admin/ring`)) as { epoch: number };
      expect(heard.get(MembershipEvents.ringChanged)!.at(-1)!.epoch).toBe(ring.epoch);
      // The version alone, not every keyspace again.
      expect(heard.get(MembershipEvents.catalogVersion)!.at(-1)).toEqual({ version: expect.any(Number) });
    } finally {
      subscriber.disconnect();
    }
  }, 30_000);

  it('brings a gateway that missed a catalog change up to date within the announcement period, not its 10 s poll', async () => {
    expectStatus(await http(`${gw}/v1/keyspaces/missed-change`, { method: 'PUT', body: '{}', headers: { 'content-type': 'application/json' } }), 200);
    // A change nobody published: as if its event had been lost on the way.
    const membershipDb = databaseUrl(cluster.region.databaseNames.find((name) => name.endsWith('_membership'))!);
    await query(membershipDb, "UPDATE keyspaces SET default_ttl_seconds = 3600, version = nextval('catalog_version') WHERE name = 'missed-change'");
    await pollUntil(
      async () => jsonOf(await http(`${gw}/v1/keyspaces/missed-change`)) as { defaultTtlSeconds: number | null },
      (policy) => policy.defaultTtlSeconds === 3600,
      { timeoutMs: 5_000, intervalMs: 200, what: "the gateway to learn of the change from the catalog's announced version" },
    );
  }, 30_000);

  it('describes the ring and the nodes to an operator', async () => {
    const ring = jsonOf(await http(`${gw}/v1/admin/ring`)) as { region: string; epoch: number; vnodesPerNode: number; nodes: { id: string; status: string; ownership: number }[] };
    expect(ring).toEqual({
      region: 'us-east',
      epoch: expect.any(Number),
      vnodesPerNode: 256,
      members: ['n1', 'n2', 'n3'],
      nodes: expect.any(Array),
      rebalance: null,
    });
    expect(ring.epoch).toBeGreaterThanOrEqual(3);
    expect(ring.nodes.map((node) => [node.id, node.status, (node as { role?: string }).role])).toEqual([
      ['n1', 'up', 'member'],
      ['n2', 'up', 'member'],
      ['n3', 'up', 'member'],
    ]);
    const total = ring.nodes.reduce((sum, node) => sum + node.ownership, 0);
    expect(total).toBeCloseTo(1, 9);
    for (const node of ring.nodes) expect(node.ownership).toBeGreaterThan(0.2);

    const nodes = jsonOf(await http(`${gw}/v1/admin/nodes`)) as { region: string; epoch: number; nodes: { id: string; status: string; httpUrl: string; joinedAt: string; lastHeartbeatAt: string }[] };
    expect(nodes.region).toBe('us-east');
    expect(nodes.nodes).toEqual(
      cluster.region.storageNodes.map((node) => ({
        id: node.id,
        status: 'up',
        role: 'member',
        httpUrl: node.process.httpUrl,
        joinedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
        lastHeartbeatAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/),
      })),
    );
  }, 30_000);

  it('publishes OpenAPI JSON with the key-value paths', async () => {
    const response = await http(`${gw}/docs/json`);
    expectStatus(response, 200);
    const document = jsonOf(response) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    expect(document.openapi).toMatch(/^3\./);
    expect(Object.keys(document.paths['/v1/kv/{keyspace}/{key}']).sort()).toEqual(expect.arrayContaining(['delete', 'get', 'put']));
    expect(Object.keys(document.paths['/v1/kv/{keyspace}'])).toContain('get');
    expect(Object.keys(document.paths['/v1/keyspaces/{name}'])).toEqual(expect.arrayContaining(['get', 'put']));
    expect(document.paths).toHaveProperty(['/v1/keyspaces']);
    expect(document.paths).toHaveProperty(['/v1/admin/ring']);
    expect(document.paths).toHaveProperty(['/v1/admin/nodes']);
  }, 30_000);

  it("echoes the client's X-Request-Id and logs the request under it at the gateway", async () => {
    await explainWithLogs([cluster.region.gateway], async () => {
      const requestId = `test-${randomBytes(8).toString('hex')}`;
      const written = await http(url('default', 'traced'), { method: 'PUT', body: 'traced', headers: { 'x-request-id': requestId } });
      expectStatus(written, 204);
      expect(written.headers.get('x-request-id')).toBe(requestId);
      const failed = await http(`${gw}/v1/kv/no-such-keyspace/k`, { headers: { 'x-request-id': `${requestId}-err` } });
      expect(expectApiError(failed, 404, 'KEYSPACE_NOT_FOUND').requestId).toBe(`${requestId}-err`);
      // An id that is not safe to log is replaced, not echoed.
      const unsafe = await http(url('default', 'traced'), { headers: { 'x-request-id': 'bad id with spaces' } });
      expect(unsafe.headers.get('x-request-id')).not.toBe('bad id with spaces');

      await pollUntil(
        async () => readFileSync(cluster.region.gateway.logFile, 'utf8'),
        (log) => log.includes(`"requestId":"${requestId}"`),
        { timeoutMs: 5_000, what: `a gateway log line with "requestId":"${requestId}"` },
      );
    });
  }, 30_000);

  it('answers what only a replicator serves with 503 NODE_UNAVAILABLE at once in a region that runs none', async () => {
    // This region has no peers and no replicator: nothing is subscribed to the replication patterns.
    for (const [path, init] of [
      ['/v1/admin/replication', {}],
      ['/v1/admin/anti-entropy', { method: 'POST' }],
      ['/v1/kv/default/majority-read', { headers: { 'x-consistency': 'strong' } }],
    ] as const) {
      const begun = Date.now();
      const body = expectApiError(await http(`${gw}${path}`, init), 503, 'NODE_UNAVAILABLE');
      expect(body.message).toMatch(/^nothing is listening on replication\./);
      // Before, each waited out its deadline: 5 s, and 120 s for anti-entropy.
      expect(Date.now() - begun).toBeLessThan(1_500);
    }
  }, 30_000);
});
