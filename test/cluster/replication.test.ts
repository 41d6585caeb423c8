import { setTimeout as sleep } from 'node:timers/promises';
import { mapWithConcurrency } from '../support/concurrency';
import { expectApiError, expectStatus, http, jsonOf, pollUntil } from '../support/http';
import { keyState, type KeyState } from '../support/key-state';
import { holdTableLock, keysStored, query } from '../support/shard-db';
import { startTestRegions, THREE_REGIONS, type TestRegions } from '../support/test-regions';

/** Longer than any partition in this suite, so no region collects a tombstone a partition's writes still need. */
const SUITE_TOMBSTONE_GRACE_MS = '600000';

interface PeerView {
  readonly peer: string;
  readonly linkState: string;
  readonly lagSeconds: number;
  readonly backlog: number;
  readonly lastSuccessfulApply: string | null;
}

/**
 * Three regions of real processes, each with its own Redis and PostgreSQL databases, linked through the
 * fault-injecting proxy. Everything is observed as a client would: over HTTP, plus each region's
 * conflicts table.
 */
describe('replication across three regions', () => {
  let regions: TestRegions;
  const gateway = (region: string): string => regions.gatewayUrl(region);

  beforeAll(async () => {
    // Tombstones outlive every partition here (see withShortTombstoneGrace), and are collected often.
    // Anti-entropy scans in steps of 50 versions a node (100,000 by default), so that its runs here take many
    // steps, in this region and in the peers.
    regions = await startTestRegions('replication', {
      GEOKV_TOMBSTONE_GRACE_MS: SUITE_TOMBSTONE_GRACE_MS,
      GEOKV_GC_INTERVAL_MS: '300',
      GEOKV_ANTI_ENTROPY_STEP_VERSIONS: '50',
    });
    // `default` keeps one replica per key in each region here, so the timing checks measure replication
    // between regions; the keyspaces the tests create keep the default, two replicas per region (each of
    // these regions has two nodes), so the partition tests cover both kinds of replication at once.
    for (const region of THREE_REGIONS) {
      const single = await http(`${gateway(region)}/v1/keyspaces/default`, { method: 'PUT', body: '{"replicationFactor":1}' });
      expect(single.status).toBe(200);
    }
  }, 120_000);

  afterAll(() => regions?.stop(), 60_000);

  async function put(region: string, keyspace: string, key: string, value: string): Promise<number> {
    return (await http(`${gateway(region)}/v1/kv/${keyspace}/${encodeURIComponent(key)}`, { method: 'PUT', body: value })).status;
  }

  async function peersOf(region: string): Promise<PeerView[]> {
    const result = await http(`${gateway(region)}/v1/admin/replication`);
    expectStatus(result, 200);
    return (jsonOf(result) as { peers: PeerView[] }).peers;
  }

  /** Defines a keyspace in us-east, and waits until eu-west and its replicator go by the definition. */
  async function defineInUsEastForEuWest(keyspace: string, policy: Record<string, number>): Promise<void> {
    const created = await http(`${gateway('us-east')}/v1/keyspaces/${keyspace}`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(policy),
    });
    expectStatus(created, 200);
    await pollUntil(() => http(`${gateway('eu-west')}/v1/keyspaces/${keyspace}`), (result) => result.status === 200, {
      timeoutMs: 15_000,
      intervalMs: 200,
      what: `keyspace ${keyspace} in eu-west`,
    });
    // The replicators use a keyspace's quorum once their next catalog refresh has it.
    await sleep(1_500);
  }

  /** Waits until every region shows every key as `expected` says; returns how long it took. */
  async function waitForEveryRegion(keys: ReadonlyMap<string, string>, keyspace: string, timeoutMs: number): Promise<number> {
    const started = Date.now();
    const missing = new Map(THREE_REGIONS.map((region) => [region, new Set(keys.keys())]));
    while ([...missing.values()].some((set) => set.size > 0)) {
      if (Date.now() - started > timeoutMs) {
        const counts = [...missing].map(([region, set]) => `${region}: ${set.size} missing`).join(', ');
        throw new Error(`not every region had every key within ${timeoutMs} ms (${counts})`);
      }
      await checkOnce(keys, keyspace, missing);
    }
    return Date.now() - started;
  }

  /** One pass over the keys still `missing` per region; removes those that now read as expected. */
  async function checkOnce(keys: ReadonlyMap<string, string>, keyspace: string, missing: Map<string, Set<string>>): Promise<void> {
    for (const [region, set] of missing) {
      await mapWithConcurrency([...set], 20, async (key) => {
        const state = await keyState(gateway(region), keyspace, key);
        if (state.status === 200 && state.values[0] === keys.get(key)) set.delete(key);
      });
    }
  }

  it('replicates keyspace definitions: one made in ap-south appears in every region', async () => {
    for (const strategy of ['siblings', 'manual']) {
      const created = await http(`${gateway('ap-south')}/v1/keyspaces/${strategy}-ks`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ conflictResolution: strategy, defaultTtlSeconds: 86_400 }),
      });
      expectStatus(created, 200);
    }
    for (const region of THREE_REGIONS) {
      for (const strategy of ['siblings', 'manual']) {
        await pollUntil(
          () => http(`${gateway(region)}/v1/keyspaces/${strategy}-ks`),
          (result) => {
            if (result.status !== 200) return false;
            const policy = jsonOf(result) as { conflictResolution: string; defaultTtlSeconds: number | null };
            return policy.conflictResolution === strategy && policy.defaultTtlSeconds === 86_400;
          },
          { timeoutMs: 15_000, intervalMs: 200, what: `keyspace ${strategy}-ks in ${region}` },
        );
      }
    }
    // The replicators use a keyspace's strategy once their next catalog refresh has it.
    await sleep(1_500);
  }, 60_000);

  it('settles a keyspace defined differently on both sides of a partition on the later definition, everywhere', async () => {
    const { proxy } = regions.cluster;
    const define = (region: string, conflictResolution: string) =>
      http(`${gateway(region)}/v1/keyspaces/race-ks`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ conflictResolution }),
      });
    proxy.isolate('eu-west');
    try {
      expectStatus(await define('us-east', 'siblings'), 200);
      await sleep(20);
      expectStatus(await define('eu-west', 'manual'), 200);
    } finally {
      proxy.healAll();
    }
    for (const region of THREE_REGIONS) {
      await pollUntil(
        () => http(`${gateway(region)}/v1/keyspaces/race-ks`),
        (result) => result.status === 200 && (jsonOf(result) as { conflictResolution: string }).conflictResolution === 'manual',
        { timeoutMs: 15_000, intervalMs: 200, what: `race-ks to settle on manual in ${region}` },
      );
    }
  }, 60_000);

  it('makes 2,000 writes spread over the three regions readable in every region within 10 s', async () => {
    const keys = new Map(Array.from({ length: 2_000 }, (_, i) => [`spread-${i}`, `value-${i}`]));
    const statuses = await mapWithConcurrency([...keys], 24, ([key, value], i) => put(THREE_REGIONS[i % 3], 'default', key, value));
    expect(statuses.filter((status) => status !== 204)).toEqual([]);

    // Replication is timed by what the system guarantees plus what a client sees: every replicator
    // reports nothing unacknowledged (a peer acknowledges only what it applied durably), and the last 150
    // keys written (the last in every shard's outbox) read back in every region. Reading all 6,000
    // (key, region) pairs takes seconds on a busy two-core machine by itself, so the full check follows
    // the timing, and must then find every key in its first pass.
    const started = Date.now();
    const latest = new Map([...keys].slice(-150));
    await pollUntil(
      async () => (await Promise.all(THREE_REGIONS.map((region) => peersOf(region)))).flat().every((peer) => peer.backlog === 0),
      (drained) => drained,
      { timeoutMs: 30_000, intervalMs: 50, what: 'every replicator to report no backlog' },
    );
    await waitForEveryRegion(latest, 'default', 30_000);
    const tookMs = Date.now() - started;
    expect(tookMs).toBeLessThan(10_000);
    const missing = new Map(THREE_REGIONS.map((region) => [region, new Set(keys.keys())]));
    await checkOnce(keys, 'default', missing);
    expect([...missing].map(([region, set]) => [region, set.size])).toEqual(THREE_REGIONS.map((region) => [region, 0]));
    for (const region of THREE_REGIONS) {
      for (const peer of await peersOf(region)) expect(peer).toMatchObject({ linkState: 'up', lastSuccessfulApply: expect.any(String) });
    }
  }, 120_000);

  it('keeps both sides of a partition serving, then converges by each strategy and loses no write', async () => {
    const { proxy } = regions.cluster;
    proxy.isolate('eu-west');
    const written = new Map<string, { keyspace: string; key: string; values: string[] }>();
    try {
      for (const keyspace of ['default', 'siblings-ks', 'manual-ks']) {
        for (let i = 0; i < 5; i++) {
          const key = `split-${i}`;
          // The same key on both sides of the cut: concurrent versions.
          expect(await put('us-east', keyspace, key, `${keyspace}/${key}/from-us-east`)).toBe(204);
          expect(await put('eu-west', keyspace, key, `${keyspace}/${key}/from-eu-west`)).toBe(204);
          written.set(`${keyspace}/${key}`, { keyspace, key, values: [`${keyspace}/${key}/from-eu-west`, `${keyspace}/${key}/from-us-east`] });
        }
      }
      // Keys only one side writes, including on the cut-off side.
      for (let i = 0; i < 20; i++) {
        const region = i % 2 === 0 ? 'us-east' : 'eu-west';
        expect(await put(region, 'default', `one-side-${i}`, `only-${region}-${i}`)).toBe(204);
      }
      // The cut is visible to operators: the link is down and writes wait in the backlog.
      await pollUntil(
        () => peersOf('us-east'),
        (peers) => peers.some((peer) => peer.peer === 'eu-west' && peer.linkState === 'down' && peer.backlog > 0 && peer.lagSeconds > 0),
        { timeoutMs: 15_000, intervalMs: 250, what: "us-east to report its link to eu-west down with a backlog" },
      );
    } finally {
      proxy.healAll();
    }

    // After the heal: identical state everywhere.
    const converged = await pollUntil(
      async () => {
        const states = new Map<string, KeyState[]>();
        for (const [id, { keyspace, key }] of written) {
          states.set(id, await Promise.all(THREE_REGIONS.map((region) => keyState(gateway(region), keyspace, key))));
        }
        return states;
      },
      (states) => [...states.values()].every((perRegion) => perRegion.every((state) => JSON.stringify(state) === JSON.stringify(perRegion[0]))),
      { timeoutMs: 30_000, intervalMs: 250, what: 'every region to hold the same state for every key written during the partition' },
    );

    for (const [id, { keyspace, values }] of written) {
      const state = converged.get(id)![0];
      if (keyspace === 'default') {
        // lww: one winner everywhere, and it is one of the two writes.
        expect(state.status).toBe(200);
        expect(values).toContain((state as { values: string[] }).values[0]);
      } else {
        // siblings and manual: both writes kept, as siblings, everywhere.
        expect({ id, state }).toEqual({ id, state: { status: 300, values } });
      }
    }

    // Every lww loser, and every key queued for a manual resolution, is in every region's conflicts table,
    // once every write has been delivered everywhere (a region may hold the lww winner before the loser).
    for (const region of ['us-east', 'eu-west']) {
      await pollUntil(() => peersOf(region), (peers) => peers.every((peer) => peer.backlog === 0), {
        timeoutMs: 15_000,
        intervalMs: 200,
        what: `${region} to have delivered every write to every peer`,
      });
    }
    for (const region of THREE_REGIONS) {
      const rows = (
        await Promise.all(
          regions.cluster.region(region).storageNodes.map((node) =>
            query<{ keyspace: string; key: string; resolution: string; value: Buffer }>(node.databaseUrl, 'SELECT keyspace, key, resolution, value FROM conflicts'),
          ),
        )
      ).flat();
      for (const [id, { keyspace, key, values }] of written) {
        // Each replica of the key in the region records the same conflicts: one entry each is what counts.
        const recorded = [...new Set(rows.filter((row) => row.keyspace === keyspace && row.key === key).map((row) => `${row.resolution}:${row.value.toString('utf8')}`))];
        if (keyspace === 'default') {
          const winner = (converged.get(id)![0] as { values: string[] }).values[0];
          const loser = values.find((value) => value !== winner)!;
          expect({ region, id, recorded }).toEqual({ region, id, recorded: expect.arrayContaining([`lww:${loser}`]) });
        } else if (keyspace === 'manual-ks') {
          expect({ region, id, recorded: recorded.sort() }).toEqual({ region, id, recorded: values.map((value) => `manual:${value}`) });
        } else {
          expect({ region, id, recorded }).toEqual({ region, id, recorded: [] });
        }
      }
    }

    const oneSide = new Map(Array.from({ length: 20 }, (_, i) => [`one-side-${i}`, `only-${i % 2 === 0 ? 'us-east' : 'eu-west'}-${i}`]));
    await waitForEveryRegion(oneSide, 'default', 10_000);
  }, 180_000);

  it('queues manual conflicts in every region, and a resolution made in one region clears them everywhere', async () => {
    interface Queue {
      conflicts: { keyspace: string; key: string; siblings: number }[];
    }
    const queueOf = async (region: string): Promise<Queue['conflicts']> => {
      const result = await http(`${gateway(region)}/v1/admin/conflicts?limit=1000`);
      expectStatus(result, 200);
      return (jsonOf(result) as Queue).conflicts;
    };
    // The partition test left manual-ks/split-0..4 with two siblings each, in every region.
    for (const region of THREE_REGIONS) {
      const queued = (await queueOf(region)).filter((entry) => entry.keyspace === 'manual-ks');
      expect(queued.map((entry) => `${entry.key}:${entry.siblings}`).sort()).toEqual([0, 1, 2, 3, 4].map((i) => `split-${i}:2`));
      expect((await queueOf(region)).filter((entry) => entry.keyspace !== 'manual-ks')).toEqual([]);
    }

    const resolve = (body: unknown) =>
      http(`${gateway('us-east')}/v1/admin/conflicts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
    const resolved = await resolve({ keyspace: 'manual-ks', key: 'split-0', value: 'merged by an operator', contentType: 'text/plain' });
    expectStatus(resolved, 200);
    expect(jsonOf(resolved)).toMatchObject({ keyspace: 'manual-ks', key: 'split-0', resolvedSiblings: 2 });

    for (const region of THREE_REGIONS) {
      await pollUntil(() => keyState(gateway(region), 'manual-ks', 'split-0'), (state) => state.status === 200, {
        timeoutMs: 10_000,
        what: `the resolution of split-0 to reach ${region}`,
      });
      expect(await keyState(gateway(region), 'manual-ks', 'split-0')).toEqual({ status: 200, values: ['merged by an operator'] });
      await pollUntil(() => queueOf(region), (queue) => !queue.some((entry) => entry.key === 'split-0'), { timeoutMs: 10_000, what: `split-0 to leave ${region}'s queue` });
      expect((await queueOf(region)).filter((entry) => entry.keyspace === 'manual-ks')).toHaveLength(4);
    }

    // Bad requests change nothing.
    expectApiError(await resolve('{not json'), 400, 'MALFORMED_JSON');
    expectApiError(await resolve({ keyspace: 'manual-ks', key: 'split-1' }), 400, 'BAD_REQUEST');
    expectApiError(await resolve({ keyspace: 'manual-ks', key: 'split-1', value: 'x', colour: 'red' }), 400, 'BAD_REQUEST');
    expectApiError(await resolve({ keyspace: 'manual-ks', key: 'split-1', value: '%%%', encoding: 'base64' }), 400, 'BAD_REQUEST');
    expectApiError(await resolve({ keyspace: 'no-such-ks', key: 'split-1', value: 'x' }), 404, 'KEYSPACE_NOT_FOUND');
    expectApiError(await resolve({ keyspace: 'manual-ks', key: 'split-0', value: 'x' }), 404, 'NOT_FOUND');
    expectApiError(await http(`${gateway('us-east')}/v1/admin/conflicts?limit=0`), 400, 'BAD_REQUEST');
    expect((await keyState(gateway('us-east'), 'manual-ks', 'split-1')).status).toBe(300);
  }, 60_000);

  it('loses nothing when a replicator is killed mid-stream and a peer region restarts its Redis', async () => {
    const usEast = regions.cluster.region('us-east');
    const keys = new Map(Array.from({ length: 600 }, (_, i) => [`crash-${i}`, `crash-value-${i}`]));
    const entries = [...keys];
    let acknowledged = 0;
    const writing = mapWithConcurrency(entries, 8, async ([key, value]) => {
      expect(await put('us-east', 'default', key, value)).toBe(204);
      acknowledged++;
    });
    await pollUntil(async () => acknowledged, (count) => count >= 150, { timeoutMs: 30_000, what: '150 acknowledged writes' });
    usEast.replicator!.kill('SIGKILL');
    await usEast.replicator!.waitExit(10_000);
    await regions.cluster.redis.get('ap-south')!.restart();
    await usEast.replicator!.restart();
    await writing;

    await waitForEveryRegion(keys, 'default', 30_000);
    await pollUntil(() => peersOf('us-east'), (peers) => peers.every((peer) => peer.backlog === 0 && peer.linkState === 'up'), {
      timeoutMs: 15_000,
      intervalMs: 250,
      what: 'us-east to report no backlog to any peer',
    });
  }, 180_000);

  it('ships again at once what a peer replicator killed mid-stream never answered, not at the shipment deadline', async () => {
    const euWest = regions.cluster.region('eu-west');
    const keys = new Map(Array.from({ length: 300 }, (_, i) => [`receiver-crash-${i}`, `receiver-crash-value-${i}`]));
    euWest.replicator!.kill('SIGKILL');
    await euWest.replicator!.waitExit(10_000);
    // us-east ships these into eu-west's Redis, where no replicator listens: those shipments are never answered.
    const statuses = await mapWithConcurrency([...keys], 8, ([key, value]) => put('us-east', 'default', key, value));
    expect(statuses.filter((status) => status !== 204)).toEqual([]);
    await euWest.replicator!.restart();

    // The shipment deadline is 30 s: arriving well inside it means the senders saw the new replicator
    // process answer and shipped again at once.
    expect(await waitForEveryRegion(keys, 'default', 25_000)).toBeLessThan(15_000);
  }, 90_000);

  it('keeps applying shipments while a storage node of the receiving region is dead, and the node gets every version once back', async () => {
    const keyspace = 'one-of-two';
    await defineInUsEastForEuWest(keyspace, { replicationFactor: 2, writeQuorum: 1, readQuorum: 1 });
    const victim = regions.cluster.region('eu-west').storageNodes[1];
    victim.process.kill('SIGKILL');
    await victim.process.waitExit(10_000);

    // Every key has both eu-west nodes as replicas, so every shipment has a share for the dead one.
    const keys = new Map(Array.from({ length: 200 }, (_, i) => [`dead-replica-${i}`, `dead-replica-value-${i}`]));
    const statuses = await mapWithConcurrency([...keys], 8, ([key, value]) => put('us-east', keyspace, key, value));
    expect(statuses.filter((status) => status !== 204)).toEqual([]);
    // The shipment deadline is 30 s: arriving well inside it means no shipment waited it out on the dead node.
    expect(await waitForEveryRegion(keys, keyspace, 25_000)).toBeLessThan(15_000);

    await victim.process.restart();
    await victim.process.waitReady(30_000);
    // Its hints bring it what it missed once membership holds it up again.
    await pollUntil(
      () => keysStored(victim.databaseUrl, keyspace, 'dead-replica-'),
      (count) => count === keys.size,
      { timeoutMs: 30_000, intervalMs: 500, what: `all ${keys.size} keys on the restarted ${victim.id}` },
    );
  }, 120_000);

  it('answers a shipment once a write quorum has it: a replica whose database stalls holds no later write up', async () => {
    const keyspace = 'stalled-replica';
    await defineInUsEastForEuWest(keyspace, { replicationFactor: 2, writeQuorum: 1, readQuorum: 2 });
    const [live, stalled] = regions.cluster.region('eu-west').storageNodes;

    // Both eu-west nodes are replicas of every key; one of them cannot commit (it keeps heartbeating, so
    // membership holds it up). Each shipment waited for it before, and the stream behind each waited too:
    // the first round arrived on the live replica, the next ones never did.
    const release = await holdTableLock(stalled.databaseUrl, 'versions');
    const rounds = ['stall-a-', 'stall-b-', 'stall-c-'];
    try {
      for (const round of rounds) {
        const statuses = await mapWithConcurrency(
          Array.from({ length: 20 }, (_, i) => `${round}${i}`),
          8,
          (key) => put('us-east', keyspace, key, `value of ${key}`),
        );
        expect(statuses.filter((status) => status !== 204)).toEqual([]);
        await pollUntil(() => keysStored(live.databaseUrl, keyspace, round), (count) => count === 20, {
          timeoutMs: 10_000,
          intervalMs: 200,
          what: `round ${round} on the live eu-west replica while the other stalls`,
        });
      }
      await pollUntil(
        async () => (await peersOf('us-east')).find((peer) => peer.peer === 'eu-west')?.backlog,
        (backlog) => backlog === 0,
        { timeoutMs: 10_000, intervalMs: 200, what: "us-east's backlog for eu-west to be 0 while a replica there stalls" },
      );
      expect(await keysStored(stalled.databaseUrl, keyspace, 'stall-')).toBe(0);
    } finally {
      await release();
    }
    // The stalled replica takes every version it was sent once its database moves again.
    await pollUntil(() => keysStored(stalled.databaseUrl, keyspace, 'stall-'), (count) => count === 60, {
      timeoutMs: 30_000,
      intervalMs: 500,
      what: 'all 60 keys on the replica that stalled',
    });
  }, 120_000);

  it('holds shipments up again once a stalled replica owes 32 deliveries, and delivers every one once it moves', async () => {
    const keyspace = 'owing-replica';
    await defineInUsEastForEuWest(keyspace, { replicationFactor: 2, writeQuorum: 1, readQuorum: 2 });
    const [live, stalled] = regions.cluster.region('eu-west').storageNodes;
    const keyOf = (i: number): string => `owe-${String(i).padStart(2, '0')}`;
    const arrivesWithin = async (key: string, ms: number): Promise<boolean> => {
      const deadline = Date.now() + ms;
      while (Date.now() < deadline) {
        if ((await keysStored(live.databaseUrl, keyspace, key)) === 1) return true;
        await sleep(50);
      }
      return false;
    };

    // One write at a time, each in a shipment of its own once the one before has arrived. Each shipment is
    // answered at its write quorum (the live replica) and leaves the stalled one owing its delivery, up to 32;
    // then shipments wait for it again, and the streams behind them stop. The shipment deadline (30 s) is
    // longer than this phase, so none of the owed deliveries fails over meanwhile.
    const release = await holdTableLock(stalled.databaseUrl, 'versions');
    let written = 0;
    let arrived = 0;
    try {
      while (written < 60) {
        expect(await put('us-east', keyspace, keyOf(written), `value ${written}`)).toBe(204);
        written += 1;
        if (!(await arrivesWithin(keyOf(written - 1), 3_000))) break;
        arrived += 1;
      }
      // 32 answered at the quorum, and at most one held shipment per us-east stream (two nodes) whose
      // versions reached the live replica before it waited for the stalled one.
      expect(arrived).toBeGreaterThanOrEqual(32);
      expect(arrived).toBeLessThanOrEqual(34);
      expect((await peersOf('us-east')).find((peer) => peer.peer === 'eu-west')?.backlog).toBeGreaterThan(0);
    } finally {
      await release();
    }
    // Once the stalled replica commits again, the held shipments are answered and every write arrives on both.
    for (const node of [live, stalled]) {
      await pollUntil(() => keysStored(node.databaseUrl, keyspace, 'owe-'), (count) => count === written, {
        timeoutMs: 30_000,
        intervalMs: 500,
        what: `all ${written} keys on eu-west's ${node.id}`,
      });
    }
  }, 120_000);

  it('reads your writes in another region: the new value or 503 STALE_REPLICA, never the old value', async () => {
    const { proxy } = regions.cluster;
    const key = 'ryw';
    expect(await put('us-east', 'default', key, 'old')).toBe(204);
    await waitForEveryRegion(new Map([[key, 'old']]), 'default', 10_000);

    const writeNew = async (value: string): Promise<string> => {
      const written = await http(`${gateway('us-east')}/v1/kv/default/${key}`, { method: 'PUT', body: value });
      expectStatus(written, 204);
      return written.headers.get('x-causal-context')!;
    };
    const readInEuWest = (context: string) => http(`${gateway('eu-west')}/v1/kv/default/${key}`, { headers: { 'x-causal-context': context } });

    // A delayed link: the read waits for the write to arrive and returns it.
    proxy.setFaults('us-east', 'eu-west', { delayMs: 300, blackhole: false });
    try {
      const context = await writeNew('new');
      const read = await readInEuWest(context);
      expectStatus(read, 200);
      expect(read.body.toString('utf8')).toBe('new');
    } finally {
      proxy.healAll();
    }

    // A cut link: the write cannot arrive in time, so the read refuses rather than serve the older 'new'.
    proxy.setFaults('us-east', 'eu-west', { delayMs: 0, blackhole: true });
    try {
      const context = await writeNew('newer');
      const started = Date.now();
      const read = await readInEuWest(context);
      expectApiError(read, 503, 'STALE_REPLICA');
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_900);
      // Without the context, eu-west serves what it has: the previous value.
      expect((await keyState(gateway('eu-west'), 'default', key)).status).toBe(200);
    } finally {
      proxy.healAll();
    }
    await waitForEveryRegion(new Map([[key, 'newer']]), 'default', 15_000);
  }, 120_000);

  /** Rows of `table` for the key in every shard of the region. */
  async function rowsFor(region: string, table: 'versions' | 'outbox', keyspace: string, key: string): Promise<number> {
    const counts = await Promise.all(
      regions.cluster.region(region).storageNodes.map((node) =>
        query<{ n: number }>(node.databaseUrl, `SELECT count(*)::int AS n FROM ${table} WHERE keyspace = $1 AND key = $2`, [keyspace, key]),
      ),
    );
    return counts.reduce((sum, [row]) => sum + row.n, 0);
  }

  /**
   * Runs `body` with every replicator collecting tombstones after 1.5 s. The grace period is what keeps a
   * tombstone until every write concurrent with it has arrived, so the suite's partition tests run with a
   * grace period longer than their partitions: with 1.5 s, a region could collect a delete before a write
   * made on the other side of the partition reached it, and then keep that write without recording the
   * delete as its lww loser.
   */
  async function withShortTombstoneGrace(body: () => Promise<void>): Promise<void> {
    const restartReplicators = (graceMs: string): Promise<void[]> =>
      Promise.all(
        THREE_REGIONS.map(async (region) => {
          const replicator = regions.cluster.region(region).replicator!;
          await replicator.restart({ GEOKV_TOMBSTONE_GRACE_MS: graceMs });
          await replicator.waitReady(30_000);
        }),
      );
    await restartReplicators('1500');
    try {
      await body();
    } finally {
      await restartReplicators(SUITE_TOMBSTONE_GRACE_MS);
    }
  }

  it('replicates deletes, collects tombstones after the grace period, and the key stays deleted everywhere', () =>
    withShortTombstoneGrace(async () => {
      expect(await put('us-east', 'default', 'gone', 'soon deleted')).toBe(204);
      await waitForEveryRegion(new Map([['gone', 'soon deleted']]), 'default', 10_000);
      expectStatus(await http(`${gateway('us-east')}/v1/kv/default/gone`, { method: 'DELETE' }), 204);

      for (const region of THREE_REGIONS) {
        await pollUntil(() => keyState(gateway(region), 'default', 'gone'), (state) => state.status === 404, {
          timeoutMs: 10_000,
          what: `the delete to reach ${region}`,
        });
      }
      // Every peer has it and the grace period has passed: the tombstone and the outbox rows go, everywhere.
      await pollUntil(
        async () => Promise.all(THREE_REGIONS.map(async (region) => (await rowsFor(region, 'versions', 'default', 'gone')) + (await rowsFor(region, 'outbox', 'default', 'gone')))),
        (counts) => counts.every((count) => count === 0),
        { timeoutMs: 20_000, intervalMs: 250, what: 'tombstones and outbox rows of the deleted key to be collected in every region' },
      );
      for (const region of THREE_REGIONS) expect(await keyState(gateway(region), 'default', 'gone')).toEqual({ status: 404 });
    }), 90_000);

  it('does not silently resurrect a key deleted on one side of a partition and written on the other', async () => {
    const { proxy } = regions.cluster;
    expect(await put('us-east', 'default', 'contested', 'before')).toBe(204);
    await waitForEveryRegion(new Map([['contested', 'before']]), 'default', 10_000);

    proxy.isolate('eu-west');
    try {
      expectStatus(await http(`${gateway('us-east')}/v1/kv/default/contested`, { method: 'DELETE' }), 204);
      await sleep(20);
      expect(await put('eu-west', 'default', 'contested', 'written during the cut')).toBe(204);
    } finally {
      proxy.healAll();
    }
    // lww: the write came later than the concurrent delete, so it wins in every region, and the delete is
    // kept as the loser in every region's conflicts table (eu-west holds the winner from the start, so wait
    // for the delete to reach it too).
    await waitForEveryRegion(new Map([['contested', 'written during the cut']]), 'default', 15_000);
    for (const region of THREE_REGIONS) {
      const losers = async (): Promise<{ tombstone: boolean }[]> =>
        (
          await Promise.all(
            regions.cluster.region(region).storageNodes.map((node) =>
              query<{ tombstone: boolean }>(node.databaseUrl, "SELECT tombstone FROM conflicts WHERE keyspace = 'default' AND key = 'contested' AND resolution = 'lww'"),
            ),
          )
        ).flat();
      await pollUntil(losers, (rows) => rows.length > 0, { timeoutMs: 15_000, intervalMs: 200, what: `the delete to reach ${region} as an lww loser` });
      expect({ region, losers: await losers() }).toEqual({ region, losers: [{ tombstone: true }] });
      expect(await keyState(gateway(region), 'default', 'contested')).toEqual({ status: 200, values: ['written during the cut'] });
    }
  }, 60_000);

  it('heals a region whose database lost rows behind its back, with anti-entropy on demand', async () => {
    const keys = new Map(Array.from({ length: 200 }, (_, i) => [`healed-${i}`, `healed-value-${i}`]));
    const statuses = await mapWithConcurrency([...keys], 16, ([key, value]) => put('us-east', 'default', key, value));
    expect(statuses.filter((status) => status !== 204)).toEqual([]);
    await waitForEveryRegion(keys, 'default', 10_000);

    // Rows vanish from eu-west's shards, as after a bad manual fix or an old backup.
    const gone = new Set<string>();
    for (const node of regions.cluster.region('eu-west').storageNodes) {
      const rows = await query<{ key: string }>(node.databaseUrl, "DELETE FROM versions WHERE key LIKE 'healed-%' AND (hashtext(key) % 3) = 0 RETURNING key");
      for (const row of rows) gone.add(row.key);
    }
    const deleted = gone.size;
    expect(deleted).toBeGreaterThan(20);
    // The nodes' caches still hold them; a restart is what makes the loss visible to readers.
    for (const node of regions.cluster.region('eu-west').storageNodes) {
      await node.process.restart();
      await node.process.waitReady(30_000);
    }
    const missing = await mapWithConcurrency([...keys.keys()], 16, async (key) => (await keyState(gateway('eu-west'), 'default', key)).status === 404);
    expect(missing.filter(Boolean).length).toBe(deleted);

    const repair = await pollUntil(
      () => http(`${gateway('eu-west')}/v1/admin/anti-entropy`, { method: 'POST', timeoutMs: 120_000 }),
      (result) => result.status === 200,
      { timeoutMs: 30_000, intervalMs: 500, what: 'an anti-entropy run from eu-west' },
    );
    const report = jsonOf(repair) as { peers: { peer: string; keysCompared: number; bucketsDiffering: number; versionsRepaired: number; error: string | null }[] };
    // The first peer compared repairs eu-west; the second then finds nothing left to repair.
    expect(report.peers.map((peer) => peer.error)).toEqual([null, null]);
    expect(report.peers.reduce((sum, peer) => sum + peer.versionsRepaired, 0)).toBe(deleted);
    expect(report.peers[0].keysCompared).toBeGreaterThanOrEqual(keys.size - deleted);
    expect(report.peers[0].bucketsDiffering).toBeGreaterThan(0);
    await waitForEveryRegion(keys, 'default', 5_000);

    // A second run finds the regions identical.
    const again = jsonOf(await http(`${gateway('eu-west')}/v1/admin/anti-entropy`, { method: 'POST', timeoutMs: 120_000 })) as typeof report;
    expect(again.peers.map((peer) => [peer.bucketsDiffering, peer.versionsRepaired])).toEqual([[0, 0], [0, 0]]);

    // Both runs, against both peers, counted as they ended, and timed (the scheduled runs are ten minutes off).
    const metrics = (await http(`${regions.cluster.region('eu-west').replicator!.httpUrl}/metrics`)).body.toString('utf8');
    const runs = (outcome: string): number[] =>
      [...metrics.matchAll(new RegExp(`^geokv_anti_entropy_runs_total\\{[^}]*outcome="${outcome}"[^}]*\\} (\\d+)$`, 'gm'))].map((sample) => Number(sample[1]));
    const ok = runs('ok');
    expect(ok).toHaveLength(2);
    expect(Math.min(...ok)).toBeGreaterThanOrEqual(2);
    expect(runs('failed')).toEqual([]);
    const timed = [...metrics.matchAll(/^geokv_anti_entropy_run_duration_seconds_count\{[^}]*\} (\d+)$/gm)].map((sample) => Number(sample[1]));
    expect(timed).toEqual(ok);
  }, 180_000);

  it('reads a majority of regions with X-Consistency: strong, and answers NO_QUORUM from a minority', async () => {
    const { proxy } = regions.cluster;
    const strongRead = (region: string, key: string) => http(`${gateway(region)}/v1/kv/default/${key}`, { headers: { 'x-consistency': 'strong' } });
    expect(await put('us-east', 'default', 'majority', 'first')).toBe(204);
    await waitForEveryRegion(new Map([['majority', 'first']]), 'default', 10_000);

    // The us-east → eu-west link (us-east's shipments to eu-west) is cut, while eu-west still reaches the
    // other regions: a strong read in eu-west merges a majority's copies and returns the new value that
    // replication has not delivered to eu-west.
    proxy.setFaults('us-east', 'eu-west', { delayMs: 0, blackhole: true });
    try {
      expect(await put('us-east', 'default', 'majority', 'second')).toBe(204);
      // Any majority eu-west can form (with us-east or with ap-south) then holds 'second'.
      await pollUntil(() => keyState(gateway('ap-south'), 'default', 'majority'), (state) => JSON.stringify(state) === JSON.stringify({ status: 200, values: ['second'] }), {
        timeoutMs: 10_000,
        what: "'second' to reach ap-south",
      });
      expect(await keyState(gateway('eu-west'), 'default', 'majority')).toEqual({ status: 200, values: ['first'] });
      const read = await strongRead('eu-west', 'majority');
      expectStatus(read, 200);
      expect(read.body.toString('utf8')).toBe('second');
    } finally {
      proxy.healAll();
    }

    // eu-west alone cannot make a majority: it refuses rather than answer from its own copy.
    proxy.isolate('eu-west');
    try {
      const refused = await strongRead('eu-west', 'majority');
      expectApiError(refused, 503, 'NO_QUORUM');
      // The other side still has a majority (us-east and ap-south).
      const served = await strongRead('us-east', 'majority');
      expectStatus(served, 200);
      expect(served.body.toString('utf8')).toBe('second');
    } finally {
      proxy.healAll();
    }
  }, 60_000);
});
