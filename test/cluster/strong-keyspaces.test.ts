import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { checkHistory } from '@geokv/linearizability';
import { expectApiError, expectStatus, http, jsonOf, keyPath } from '../support/http';
import { counterTotal, counterWithLabel } from '../support/metrics';
import { query } from '../support/shard-db';
import { StrongClient, type Attempt } from '../support/strong-client';
import { defineKeyspaceEverywhere, startTestRegions, THREE_REGIONS, type TestRegions } from '../support/test-regions';

const KEYSPACE = 'ledger';
const KEYS = ['k0', 'k1', 'k2'];
const CLIENTS = 5;
const RUN_MS = 30_000;
/** Acceptor garbage collection's grace in this suite, short enough to watch (the default is an hour). */
const GC_GRACE_MS = 10_000;

/**
 * Strong keyspaces on three regions of real processes: clients in every region run reads, writes,
 * deletes and compare-and-sets on a few keys while a region is cut off, a gateway and an acceptor's
 * storage node are killed; the recorded history must be linearizable.
 */
describe('strong keyspaces across three regions', () => {
  let regions: TestRegions;
  const gateway = (region: string): string => regions.gatewayUrl(region);

  beforeAll(async () => {
    regions = await startTestRegions('strong', { GEOKV_ACCEPTOR_GC_GRACE_MS: String(GC_GRACE_MS), GEOKV_ACCEPTOR_GC_INTERVAL_MS: '1000' });
    await defineKeyspaceEverywhere(regions, KEYSPACE, { consistency: 'strong' });
  }, 180_000);

  afterAll(() => regions?.stop(), 60_000);

  it('keeps a linearizable history through a partition, a gateway kill and an acceptor kill', async () => {
    const valueByEtag = new Map<string, string>();
    const clients = Array.from({ length: CLIENTS }, (_, i) => new StrongClient(`c${i}`, gateway, KEYSPACE, valueByEtag));
    const started = performance.now();
    const running = () => performance.now() - started < RUN_MS;
    const workers = clients.map(async (client) => {
      for (let op = 0; op < 20_000 && running(); op++) {
        const region = THREE_REGIONS[Math.floor(Math.random() * THREE_REGIONS.length)];
        const key = KEYS[Math.floor(Math.random() * KEYS.length)];
        const dice = Math.random();
        if (dice < 0.4) await client.read(region, key);
        else if (dice < 0.65) await client.write(region, key);
        else if (dice < 0.95) await client.compareAndSet(region, key);
        else await client.delete(region, key);
      }
    });

    const { proxy } = regions.cluster;
    const cutOff = 'ap-south';
    const at = (ms: number) => sleep(Math.max(0, ms - (performance.now() - started)));
    const timeline: Record<string, number> = {};

    await at(3_000);
    for (const other of THREE_REGIONS.filter((region) => region !== cutOff)) {
      proxy.setFaults(cutOff, other, { delayMs: 0, blackhole: true });
      proxy.setFaults(other, cutOff, { delayMs: 0, blackhole: true });
    }
    timeline.cut = performance.now();
    await at(9_000);
    proxy.healAll();
    timeline.healed = performance.now();

    await at(12_000);
    const euWest = regions.cluster.region('eu-west');
    euWest.gateway.kill();
    await at(15_000);
    await euWest.gateway.restart();
    await euWest.gateway.waitReady(30_000);

    await at(18_000);
    // A storage node that holds acceptor state of the test's keys in us-east.
    const usEast = regions.cluster.region('us-east');
    let acceptor = usEast.storageNodes[0];
    for (const node of usEast.storageNodes) {
      const rows = await query<{ count: string }>(node.databaseUrl, 'SELECT count(*) AS count FROM acceptor_state WHERE keyspace = $1', [KEYSPACE]);
      if (Number(rows[0].count) > 0) {
        acceptor = node;
        break;
      }
    }
    const heldBefore = await query<{ count: string }>(acceptor.databaseUrl, 'SELECT count(*) AS count FROM acceptor_state WHERE keyspace = $1', [KEYSPACE]);
    expect(Number(heldBefore[0].count)).toBeGreaterThan(0);
    acceptor.process.kill();
    await at(23_000);
    await acceptor.process.restart();
    await acceptor.process.waitReady(30_000);

    await Promise.all(workers);

    const history = clients.flatMap((client) => client.history);
    const attempts = clients.flatMap((client) => client.attempts);
    const answered = attempts.filter((attempt) => attempt.ending === 'answered');
    const checkStarted = performance.now();
    const checked = checkHistory(history);
    const count = (ending: string) => attempts.filter((attempt) => attempt.ending === ending).length;
    console.log(
      `strong chaos run: ${attempts.length} requests, ${count('answered')} answered, ${count('not-applied')} refused (${causesOf(attempts, 'not-applied')}), ` +
        `${count('unknown')} unknown (${causesOf(attempts, 'unknown')}); history of ${history.length} checked in ${Math.round(performance.now() - checkStarted)} ms: ` +
        String(checked.linearizable),
    );
    if (checked.linearizable !== true) {
      throw new Error(`history of ${history.length} operations is not linearizable: ${JSON.stringify(checked).slice(0, 4_000)}`);
    }
    // Enough happened for the verdict to mean something, including successful and failed compare-and-sets.
    expect(answered.length).toBeGreaterThan(300);
    expect(history.some((op) => op.output?.kind === 'cas' && op.output.ok)).toBe(true);
    expect(history.some((op) => op.output?.kind === 'cas' && !op.output.ok)).toBe(true);

    // The cut-off region answered every request it got during the cut (after the links' deadline) with
    // NO_QUORUM: never a value, never an acknowledgement.
    const duringCut = (attempt: Attempt) => attempt.region === cutOff && attempt.call > timeline.cut + 1_500 && attempt.returned < timeline.healed;
    const isolated = attempts.filter(duringCut);
    expect(isolated.length).toBeGreaterThan(5);
    expect(isolated.filter((attempt) => attempt.code !== 'NO_QUORUM').map((attempt) => `${attempt.status} ${attempt.code}`)).toEqual([]);
    // The majority side kept serving meanwhile.
    const majoritySide = attempts.filter((attempt) => attempt.region !== cutOff && attempt.call > timeline.cut + 1_500 && attempt.returned < timeline.healed);
    expect(majoritySide.filter((attempt) => attempt.ending === 'answered').length).toBeGreaterThan(majoritySide.length / 2);

    // Once healed and restarted, every region serves again.
    for (const region of THREE_REGIONS) {
      const read = await http(`${gateway(region)}/v1/kv/${KEYSPACE}/k0`);
      expect([200, 404]).toContain(read.status);
    }
  }, 120_000);

  it('lets exactly one of many concurrent If-None-Match: * creates succeed, in every region', async () => {
    const attempts = Array.from({ length: 9 }, (_, i) =>
      http(`${gateway(THREE_REGIONS[i % 3])}/v1/kv/${KEYSPACE}/race`, { method: 'PUT', headers: { 'if-none-match': '*' }, body: `creator-${i}` }),
    );
    const results = await Promise.all(attempts);
    const winners = results.flatMap((result, i) => (result.status === 204 ? [i] : []));
    expect(winners).toHaveLength(1);
    for (const [i, result] of results.entries()) if (i !== winners[0]) expectApiError(result, 412, 'PRECONDITION_FAILED');
    for (const region of THREE_REGIONS) {
      const read = await http(`${gateway(region)}/v1/kv/${KEYSPACE}/race`);
      expectStatus(read, 200);
      expect(read.body.toString('utf8')).toBe(`creator-${winners[0]}`);
    }
  }, 60_000);

  it('compare-and-sets on the ETag across regions, and a failed precondition changes nothing', async () => {
    const first = await http(`${gateway('us-east')}/v1/kv/${KEYSPACE}/cas`, { method: 'PUT', body: 'one' });
    expectStatus(first, 204);
    const etag = first.headers.get('etag')!;
    const swapped = await http(`${gateway('eu-west')}/v1/kv/${KEYSPACE}/cas`, { method: 'PUT', headers: { 'if-match': etag }, body: 'two' });
    expectStatus(swapped, 204);
    const stale = await http(`${gateway('ap-south')}/v1/kv/${KEYSPACE}/cas`, { method: 'PUT', headers: { 'if-match': etag }, body: 'three' });
    expectApiError(stale, 412, 'PRECONDITION_FAILED');
    const staleDelete = await http(`${gateway('ap-south')}/v1/kv/${KEYSPACE}/cas`, { method: 'DELETE', headers: { 'if-match': etag } });
    expectApiError(staleDelete, 412, 'PRECONDITION_FAILED');
    const read = await http(`${gateway('ap-south')}/v1/kv/${KEYSPACE}/cas`);
    expectStatus(read, 200);
    expect(read.body.toString('utf8')).toBe('two');
    expect(read.headers.get('etag')).toBe(swapped.headers.get('etag'));
    expect(read.headers.get('x-causal-context')).toBeNull();

    const deleted = await http(`${gateway('eu-west')}/v1/kv/${KEYSPACE}/cas`, { method: 'DELETE', headers: { 'if-match': swapped.headers.get('etag')! } });
    expectStatus(deleted, 204);
    expectApiError(await http(`${gateway('us-east')}/v1/kv/${KEYSPACE}/cas`), 404, 'NOT_FOUND');
  }, 60_000);

  it('runs the concurrent operations of a gateway on one key in shared rounds: every one answered, compare-and-set still exact', async () => {
    const path = `${KEYSPACE}/hot`;
    const usEast = [gateway('us-east')];
    const rounds = () => counterTotal(usEast, 'geokv_strong_batch_size_count');
    const operations = () => counterTotal(usEast, 'geokv_strong_batch_size_sum');
    const [roundsBefore, operationsBefore] = [await rounds(), await operations()];

    // A burst of plain writes, most from us-east: each is acknowledged, and the key ends at one of them.
    const writers = [...Array.from({ length: 30 }, () => 'us-east'), ...Array.from({ length: 10 }, () => 'eu-west')];
    const written = await Promise.all(writers.map((region, i) => http(`${gateway(region)}/v1/kv/${path}`, { method: 'PUT', body: `w${i}` })));
    for (const response of written) expectStatus(response, 204);
    const final = await http(`${gateway('ap-south')}/v1/kv/${path}`);
    expectStatus(final, 200);
    const winner = writers.findIndex((_, i) => final.body.toString('utf8') === `w${i}`);
    expect(winner).toBeGreaterThanOrEqual(0);
    expect(final.headers.get('etag')).toBe(written[winner].headers.get('etag'));
    expect((await operations()) - operationsBefore).toBe(30);
    expect((await rounds()) - roundsBefore).toBeLessThan(30);

    // A counter that clients in two regions increment by compare-and-set: no increment lost or doubled.
    const counter = `${KEYSPACE}/counter`;
    expectStatus(await http(`${gateway('us-east')}/v1/kv/${counter}`, { method: 'PUT', body: '0' }), 204);
    const increment = async (region: string): Promise<void> => {
      for (let attempt = 0; attempt < 500; attempt++) {
        const read = await http(`${gateway(region)}/v1/kv/${counter}`);
        expectStatus(read, 200);
        const next = String(Number(read.body.toString('utf8')) + 1);
        const swapped = await http(`${gateway(region)}/v1/kv/${counter}`, { method: 'PUT', headers: { 'if-match': read.headers.get('etag')! }, body: next });
        if (swapped.status === 204) return;
        expectApiError(swapped, 412, 'PRECONDITION_FAILED');
      }
      throw new Error(`no increment in ${region} after 500 compare-and-sets`);
    };
    const incrementers = [...Array.from({ length: 6 }, () => 'us-east'), ...Array.from({ length: 3 }, () => 'eu-west')];
    await Promise.all(incrementers.map(async (region) => {
      for (let n = 0; n < 4; n++) await increment(region);
    }));
    const total = await http(`${gateway('ap-south')}/v1/kv/${counter}`);
    expectStatus(total, 200);
    expect(total.body.toString('utf8')).toBe(String(incrementers.length * 4));
  }, 90_000);

  it('takes one round trip to a majority for a key this gateway used last, two again once another region used it, and none held while cut off', async () => {
    const { proxy } = regions.cluster;
    const path = `${KEYSPACE}/held`;
    const usedHere = (event: string): Promise<number> => counterWithLabel([gateway('us-east')], 'geokv_strong_held_ballots_total', 'event', event);
    // Both writers' links to their peers in use before the delay (a first message also subscribes to replies).
    for (const region of ['us-east', 'eu-west']) expectStatus(await http(`${gateway(region)}/v1/kv/${KEYSPACE}/warm-${region}`, { method: 'PUT', body: 'x' }), 204);
    // 150 ms each way on every link: a round trip to the nearest other region takes 300 ms.
    proxy.setAll({ delayMs: 150, blackhole: false });
    try {
      const timed = async (url: string, init: Parameters<typeof http>[1]): Promise<{ ms: number; response: Awaited<ReturnType<typeof http>> }> => {
        const started = performance.now();
        const response = await http(url, init);
        return { ms: performance.now() - started, response };
      };
      const first = await timed(`${gateway('us-east')}/v1/kv/${path}`, { method: 'PUT', body: 'v0' });
      expectStatus(first.response, 204);
      expect(first.ms).toBeGreaterThanOrEqual(600);
      const usedBefore = await usedHere('used');

      const following: number[] = [];
      let etag = first.response.headers.get('etag')!;
      for (let i = 1; i <= 5; i++) {
        // Compare-and-set on the ETag: the held value must be the current one for these to succeed.
        const next = await timed(`${gateway('us-east')}/v1/kv/${path}`, { method: 'PUT', headers: { 'if-match': etag }, body: `v${i}` });
        expectStatus(next.response, 204);
        etag = next.response.headers.get('etag')!;
        following.push(next.ms);
      }
      following.sort((a, b) => a - b);
      expect(following[2]).toBeGreaterThanOrEqual(300);
      expect(following[2]).toBeLessThan(500);
      expect((await usedHere('used')) - usedBefore).toBe(5);

      // Another region writes the key: us-east's held ballot is stale. Its next compare-and-set on its own
      // last ETag fails, and one on eu-west's succeeds, each having prepared after the refusal.
      const refusedBefore = await usedHere('refused');
      const elsewhere = await http(`${gateway('eu-west')}/v1/kv/${path}`, { method: 'PUT', body: 'from eu-west' });
      expectStatus(elsewhere, 204);
      expectApiError(await http(`${gateway('us-east')}/v1/kv/${path}`, { method: 'PUT', headers: { 'if-match': etag }, body: 'stale' }), 412, 'PRECONDITION_FAILED');
      expect((await usedHere('refused')) - refusedBefore).toBe(1);
      const swapped = await timed(`${gateway('us-east')}/v1/kv/${path}`, { method: 'PUT', headers: { 'if-match': elsewhere.headers.get('etag')! }, body: 'after' });
      expectStatus(swapped.response, 204);
      // The key is cooling down here after the refusal: no held ballot, so two round trips.
      expect(swapped.ms).toBeGreaterThanOrEqual(600);
    } finally {
      proxy.healAll();
    }
    for (const region of THREE_REGIONS) {
      const read = await http(`${gateway(region)}/v1/kv/${path}`);
      expectStatus(read, 200);
      expect(read.body.toString('utf8')).toBe('after');
    }

    // Cut off, a gateway stops using the ballots it holds: an accept under one would reach its own region's
    // acceptor alone and leave the write's outcome unknown. It prepares instead, and answers NO_QUORUM, nothing applied.
    const cutPath = `${KEYSPACE}/held-cut`;
    for (const body of ['one', 'two']) expectStatus(await http(`${gateway('us-east')}/v1/kv/${cutPath}`, { method: 'PUT', body }), 204);
    proxy.isolate('us-east');
    try {
      await sleep(1_500);
      expectApiError(await http(`${gateway('us-east')}/v1/kv/${cutPath}`, { method: 'PUT', body: 'three' }), 503, 'NO_QUORUM');
    } finally {
      proxy.healAll();
    }
    const afterCut = await http(`${gateway('eu-west')}/v1/kv/${cutPath}`);
    expectStatus(afterCut, 200);
    expect(afterCut.body.toString('utf8')).toBe('two');
  }, 90_000);

  it('answers the operations queued behind a failed round at once when its region is cut off, and applies none of them', async () => {
    const { proxy } = regions.cluster;
    const path = `${KEYSPACE}/queued-cut`;
    const rounds = () => counterTotal([gateway('us-east')], 'geokv_strong_batch_size_count');
    expectStatus(await http(`${gateway('us-east')}/v1/kv/${path}`, { method: 'PUT', body: 'before' }), 204);
    proxy.isolate('us-east');
    let answers: Awaited<ReturnType<typeof http>>[];
    let roundsRun: number;
    try {
      // Past the phase timeout with no answers: the gateway holds no ballot, so the first write prepares.
      await sleep(1_500);
      const roundsBefore = await rounds();
      answers = await Promise.all(Array.from({ length: 12 }, (_, i) => http(`${gateway('us-east')}/v1/kv/${path}`, { method: 'PUT', body: `cut-${i}` })));
      roundsRun = (await rounds()) - roundsBefore;
    } finally {
      proxy.healAll();
    }
    // The first write ran a round that found no majority; the eleven queued behind it were never proposed.
    for (const answer of answers) expectApiError(answer, 503, 'NO_QUORUM');
    expect(roundsRun).toBe(1);
    for (const region of THREE_REGIONS) {
      const read = await http(`${gateway(region)}/v1/kv/${path}`);
      expectStatus(read, 200);
      expect(read.body.toString('utf8')).toBe('before');
    }
  }, 60_000);

  it('answers 503 CONTENDED to operations still waiting for their key at their deadline, and applies none of them', async () => {
    const { proxy } = regions.cluster;
    const usEastGateway = regions.cluster.region('us-east').gateway;
    const path = `${KEYSPACE}/queued-late`;
    const rounds = () => counterTotal([gateway('us-east')], 'geokv_strong_batch_size_count');
    // A deadline far shorter than one round over the delayed links below (250 ms each way: 1 s for a write
    // to a fresh key), which bounds retries only: the first write's own round is never cut short by it.
    await usEastGateway.restart({ GEOKV_STRONG_DEADLINE_MS: '400' });
    try {
      await usEastGateway.waitReady(30_000);
      // us-east's links to its peers in use before the delay (a first message also subscribes to replies).
      expectStatus(await http(`${gateway('us-east')}/v1/kv/${KEYSPACE}/warm-late`, { method: 'PUT', body: 'x' }), 204);
      proxy.setAll({ delayMs: 250, blackhole: false });
      let first: Awaited<ReturnType<typeof http>>;
      let queued: Awaited<ReturnType<typeof http>>[];
      let roundsRun: number;
      try {
        const roundsBefore = await rounds();
        const firstWrite = http(`${gateway('us-east')}/v1/kv/${path}`, { method: 'PUT', body: 'first' });
        await sleep(100);
        // They queue behind the first write's round and have waited about 900 ms, past their deadline, when it ends.
        queued = await Promise.all(Array.from({ length: 8 }, (_, i) => http(`${gateway('us-east')}/v1/kv/${path}`, { method: 'PUT', body: `queued-${i}` })));
        first = await firstWrite;
        roundsRun = (await rounds()) - roundsBefore;
      } finally {
        proxy.healAll();
      }
      expectStatus(first, 204);
      for (const answer of queued) expect(expectApiError(answer, 503, 'CONTENDED').message).toMatch(/nothing was applied/);
      expect(roundsRun).toBe(1);
      for (const region of THREE_REGIONS) {
        const read = await http(`${gateway(region)}/v1/kv/${path}`);
        expectStatus(read, 200);
        expect(read.body.toString('utf8')).toBe('first');
      }
    } finally {
      // Back to the default deadline (GatewayConfig) for the suite's later tests; a restart keeps overrides.
      await usEastGateway.restart({ GEOKV_STRONG_DEADLINE_MS: '5000' });
      await usEastGateway.waitReady(30_000);
    }
  }, 90_000);

  it('lists the live keys in byte order from every region, page by page, and needs a majority of regions', async () => {
    const written = ['list/a', 'list/b', 'list/é', 'list/z', 'list/ä/1', ...Array.from({ length: 20 }, (_, i) => `list/k${String(i).padStart(2, '0')}`)];
    for (const [i, key] of written.entries()) expectStatus(await http(`${gateway(THREE_REGIONS[i % 3])}/v1/kv/${KEYSPACE}/${keyPath(key)}`, { method: 'PUT', body: key }), 204);
    const deleted = ['list/b', 'list/k03', 'list/k17'];
    for (const key of deleted) expectStatus(await http(`${gateway('eu-west')}/v1/kv/${KEYSPACE}/${keyPath(key)}`, { method: 'DELETE' }), 204);
    const expected = written.filter((key) => !deleted.includes(key)).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

    const listAll = async (region: string): Promise<string[]> => {
      const keys: string[] = [];
      let cursor: string | null = '';
      for (let page = 0; page < 50 && cursor !== null; page++) {
        const result = await http(`${gateway(region)}/v1/kv/${KEYSPACE}?prefix=list/&limit=4${cursor === '' ? '' : `&cursor=${cursor}`}`);
        expectStatus(result, 200);
        const body = jsonOf(result) as { keys: string[]; cursor: string | null };
        expect(body.keys.length).toBeLessThanOrEqual(4);
        keys.push(...body.keys);
        cursor = body.cursor;
      }
      expect(cursor).toBeNull();
      return keys;
    };
    for (const region of THREE_REGIONS) expect(await listAll(region)).toEqual(expected);

    // With one region cut off, the other two still list; the cut-off one cannot reach a majority.
    const { proxy } = regions.cluster;
    for (const other of ['us-east', 'eu-west']) {
      proxy.setFaults('ap-south', other, { delayMs: 0, blackhole: true });
      proxy.setFaults(other, 'ap-south', { delayMs: 0, blackhole: true });
    }
    try {
      expect(await listAll('us-east')).toEqual(expected);
      expectApiError(await http(`${gateway('ap-south')}/v1/kv/${KEYSPACE}?prefix=list/`), 503, 'NO_QUORUM');
    } finally {
      proxy.healAll();
    }
  }, 120_000);

  it('garbage-collects the acceptor rows of deleted, expired and only-read keys in every region, and such a key is as never written', async () => {
    const deleted = Array.from({ length: 6 }, (_, i) => `gc/deleted-${i}`);
    for (const [i, key] of deleted.entries()) {
      expectStatus(await http(`${gateway(THREE_REGIONS[i % 3])}/v1/kv/${KEYSPACE}/${keyPath(key)}`, { method: 'PUT', body: key }), 204);
      expectStatus(await http(`${gateway(THREE_REGIONS[(i + 1) % 3])}/v1/kv/${KEYSPACE}/${keyPath(key)}`, { method: 'DELETE' }), 204);
    }
    expectApiError(await http(`${gateway('eu-west')}/v1/kv/${KEYSPACE}/gc%2Fread-only`), 404, 'NOT_FOUND');
    expectStatus(await http(`${gateway('ap-south')}/v1/kv/${KEYSPACE}/gc%2Fexpired`, { method: 'PUT', headers: { 'x-ttl': '1' }, body: 'short-lived' }), 204);
    expectStatus(await http(`${gateway('us-east')}/v1/kv/${KEYSPACE}/gc%2Flive`, { method: 'PUT', body: 'kept' }), 204);
    const collectable = [...deleted, 'gc/read-only', 'gc/expired'];

    /** The gc/ keys with an acceptor row in `region`, over all its storage nodes. */
    const rowsIn = async (region: string): Promise<string[]> => {
      const nodes = regions.cluster.region(region).storageNodes;
      const held = await Promise.all(
        nodes.map((node) => query<{ key: string }>(node.databaseUrl, "SELECT key FROM acceptor_state WHERE keyspace = $1 AND key LIKE 'gc/%'", [KEYSPACE])),
      );
      return held.flat().map((row) => row.key).sort();
    };
    // Each phase answers at a majority; the third region's messages land a moment later.
    for (let tries = 0; tries < 50; tries++) {
      const everywhere = (await Promise.all(THREE_REGIONS.map(rowsIn))).every((keys) => keys.length === collectable.length + 1);
      if (everywhere) break;
      await sleep(100);
    }
    for (const region of THREE_REGIONS) expect(await rowsIn(region)).toEqual([...collectable, 'gc/live'].sort());

    // Left alone for the grace period, then one pass: only the live key keeps its row, in every region.
    const deadline = performance.now() + GC_GRACE_MS + 30_000;
    let held: string[][] = [];
    for (;;) {
      held = await Promise.all(THREE_REGIONS.map(rowsIn));
      if (held.every((keys) => keys.length === 1) || performance.now() > deadline) break;
      await sleep(1_000);
    }
    expect(held).toEqual(THREE_REGIONS.map(() => ['gc/live']));
    const replicators = THREE_REGIONS.map((region) => regions.cluster.region(region).replicator!.httpUrl);
    expect(await counterTotal(replicators, 'geokv_acceptor_rows_dropped_total')).toBeGreaterThanOrEqual(collectable.length * 3);

    // The live key is untouched; the collected ones read as absent everywhere and can be created afresh.
    for (const region of THREE_REGIONS) {
      const live = await http(`${gateway(region)}/v1/kv/${KEYSPACE}/gc%2Flive`);
      expectStatus(live, 200);
      expect(live.body.toString('utf8')).toBe('kept');
      for (const key of collectable) expectApiError(await http(`${gateway(region)}/v1/kv/${KEYSPACE}/${keyPath(key)}`), 404, 'NOT_FOUND');
    }
    expectApiError(await http(`${gateway('eu-west')}/v1/kv/${KEYSPACE}/gc%2Fdeleted-0`, { method: 'DELETE', headers: { 'if-match': '*' } }), 412, 'PRECONDITION_FAILED');
    expectStatus(await http(`${gateway('eu-west')}/v1/kv/${KEYSPACE}/gc%2Fdeleted-0`, { method: 'PUT', headers: { 'if-none-match': '*' }, body: 'again' }), 204);
    const again = await http(`${gateway('ap-south')}/v1/kv/${KEYSPACE}/gc%2Fdeleted-0`);
    expectStatus(again, 200);
    expect(again.body.toString('utf8')).toBe('again');
  }, 90_000);
});

/** How the requests that ended so ended: `503 NO_QUORUM ×n`, `no answer ×n`, … */
function causesOf(attempts: readonly Attempt[], ending: Attempt['ending']): string {
  const causes = new Map<string, number>();
  for (const attempt of attempts.filter((candidate) => candidate.ending === ending)) {
    const cause = attempt.status !== 0 ? `${attempt.status} ${attempt.code}` : ending === 'not-applied' ? 'connection refused' : 'no answer';
    causes.set(cause, (causes.get(cause) ?? 0) + 1);
  }
  return [...causes].map(([cause, n]) => `${cause} ×${n}`).join(', ') || 'none';
}
