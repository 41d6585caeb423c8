import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { decodeWire } from '@geokv/config';
import { checkHistory } from '@geokv/linearizability';
import { MembershipEvents, type BatchResponse, type PrepareResult } from '@geokv/protocol';
import { mapWithConcurrency } from '../support/concurrency';
import { expectStatus, http, jsonOf, pollUntil } from '../support/http';
import { counterTotal } from '../support/metrics';
import { ownerOf, query, ringOf } from '../support/shard-db';
import { StorageRpc } from '../support/storage-rpc';
import { StrongClient } from '../support/strong-client';
import { defineKeyspaceEverywhere, startTestRegions, THREE_REGIONS, type TestRegions } from '../support/test-regions';

const KEYSPACE = 'ledger';
const SEEDED = Array.from({ length: 120 }, (_, i) => `seed-${i}`);
const HOT_KEYS = ['h0', 'h1', 'h2', 'h3', 'h4', 'h5'];
const CLIENTS = 4;

interface RingSummary {
  members: string[];
  nodes: { id: string; status: string; role: string }[];
  rebalance: null | { phase: string; acceptorsMoved: number; acceptorsRebuilt: boolean };
}

interface AcceptorRow {
  node: string;
  key: string;
  /** `counter/proposer` of the accepted ballot; null when the row holds a promise alone. */
  accepted: string | null;
  etag: string | null;
}

/** The row with the later acceptance, ballots compared as counter then proposer (a promise alone is earliest). */
function laterAccepted(a: AcceptorRow | undefined, b: AcceptorRow): AcceptorRow {
  if (a === undefined || b.accepted === null) return a ?? b;
  if (a.accepted === null) return b;
  const [ca, pa] = a.accepted.split('/');
  const [cb, pb] = b.accepted.split('/');
  return Number(ca) > Number(cb) || (Number(ca) === Number(cb) && pa > pb) ? a : b;
}

/**
 * Strong clients reading, writing and compare-and-setting `hotKeys` in every region until stopped. The keys
 * must be new: the checker starts each from absent.
 */
function strongLoad(gateway: (region: string) => string, hotKeys: readonly string[]): { clients: StrongClient[]; stop(): Promise<void> } {
  const valueByEtag = new Map<string, string>();
  const clients = Array.from({ length: CLIENTS }, (_, i) => new StrongClient(`c${i}`, gateway, KEYSPACE, valueByEtag));
  let running = true;
  const workers = clients.map(async (client) => {
    for (let op = 0; op < 20_000 && running; op++) {
      const region = THREE_REGIONS[op % 3];
      const key = hotKeys[Math.floor(Math.random() * hotKeys.length)];
      const dice = Math.random();
      if (dice < 0.4) await client.read(region, key);
      else if (dice < 0.7) await client.write(region, key);
      else await client.compareAndSet(region, key);
    }
  });
  return {
    clients,
    stop: async () => {
      running = false;
      await Promise.all(workers);
    },
  };
}

/** Fails unless the clients' history is linearizable and most requests were answered; logs the counts. */
function expectLinearizable(clients: readonly StrongClient[], what: string): void {
  const history = clients.flatMap((client) => client.history);
  const attempts = clients.flatMap((client) => client.attempts);
  const checked = checkHistory(history);
  if (checked.linearizable !== true) throw new Error(`history of ${history.length} operations is not linearizable: ${JSON.stringify(checked).slice(0, 4_000)}`);
  const answered = attempts.filter((attempt) => attempt.ending === 'answered').length;
  console.log(`${what}: ${attempts.length} requests, ${answered} answered; history of ${history.length} operations linearizable`);
  expect(answered).toBeGreaterThan(100);
  expect(answered).toBeGreaterThan(attempts.length * 0.8);
}

/**
 * Strong keyspaces through joins and drains: a key's acceptor is its primary node, which a rebalance
 * changes, so its acceptor state must move with it, and no two nodes of a region may answer for it at once.
 */
describe('rebalancing a region that holds a strong keyspace', () => {
  let regions: TestRegions;
  const gateway = (region: string): string => regions.gatewayUrl(region);
  const ring = async (region: string): Promise<RingSummary> => jsonOf(await http(`${gateway(region)}/v1/admin/ring`)) as RingSummary;

  beforeAll(async () => {
    // The test's own transport client would log its connections to the console.
    Logger.overrideLogger(['error']);
    regions = await startTestRegions('strong-rebalance');
    await defineKeyspaceEverywhere(regions, KEYSPACE, { consistency: 'strong' });
  }, 180_000);

  afterAll(() => regions?.stop(), 60_000);

  /** The acceptor rows of the keyspace on every storage node of the region. */
  async function acceptorRows(region: string): Promise<AcceptorRow[]> {
    const nodes = regions.cluster.region(region).storageNodes;
    const perNode = await Promise.all(
      nodes.map(async (node) =>
        (
          await query<{ key: string; accepted: string | null; etag: string | null }>(
            node.databaseUrl,
            `SELECT key, accepted_counter || '/' || accepted_proposer AS accepted, etag FROM acceptor_state WHERE keyspace = $1`,
            [KEYSPACE],
          )
        ).map((row) => ({ node: node.id, ...row })),
      ),
    );
    return perNode.flat();
  }

  /**
   * A node's acceptor floor as `counter/proposer`, null when it has none. The tests set floors in SQL, far
   * below any ballot a proposer issues (counters start from the clock in ms), to follow them through
   * handovers and a rebuild without refusing anything.
   */
  async function floorOf(databaseUrl: string): Promise<string | null> {
    const rows = await query<{ floor: string }>(databaseUrl, `SELECT counter || '/' || proposer AS floor FROM acceptor_floor`);
    return rows[0]?.floor ?? null;
  }

  async function setFloor(databaseUrl: string, counter: number, proposer: string): Promise<void> {
    await query(databaseUrl, 'INSERT INTO acceptor_floor (id, counter, proposer) VALUES (1, $1, $2) ON CONFLICT (id) DO UPDATE SET counter = $1, proposer = $2', [counter, proposer]);
  }

  /**
   * Starts a rebalance and waits for it to finish; returns the phases seen and the acceptor keys it reported
   * moving. Every ring view membership publishes is heard as well as polled: a state that lasts only
   * between two publishes (the rebuild's report, just before the rebalance finishes) can fall between
   * two polls.
   */
  async function rebalance(region: string, method: string, path: string, body?: string): Promise<{ phases: Set<string>; acceptorsMoved: number; rebuilt: boolean }> {
    const phases = new Set<string>();
    let acceptorsMoved = 0;
    let rebuilt = false;
    const note = (view: Pick<RingSummary, 'rebalance'>): void => {
      if (view.rebalance === null) return;
      phases.add(view.rebalance.phase);
      acceptorsMoved = Math.max(acceptorsMoved, view.rebalance.acceptorsMoved);
      rebuilt ||= view.rebalance.acceptorsRebuilt;
    };
    const subscriber = new Redis(regions.cluster.region(region).redisUrl, { maxRetriesPerRequest: 1 });
    try {
      subscriber.on('messageBuffer', (_channel: Buffer, message: Buffer) => note((decodeWire(message) as { data: Pick<RingSummary, 'rebalance'> }).data));
      await subscriber.subscribe(MembershipEvents.ringChanged);
      const started = await http(`${gateway(region)}${path}`, { method, body, headers: body === undefined ? {} : { 'content-type': 'application/json' } });
      expectStatus(started, 202);
      await pollUntil(
        async () => {
          const view = await ring(region);
          note(view);
          return view;
        },
        (view) => view.rebalance === null,
        { timeoutMs: 90_000, intervalMs: 50, what: `${method} ${path} in ${region} to finish` },
      );
    } finally {
      subscriber.disconnect();
    }
    return { phases, acceptorsMoved, rebuilt };
  }

  it('moves each key’s acceptor state with it through a join and a drain, under linearizable load in every region', async () => {
    // Keys written before: their state must arrive intact on their new acceptor nodes.
    const seeded = new Map<string, string>();
    await mapWithConcurrency(SEEDED, 8, async (key, i) => {
      const value = `seeded-${i}`;
      expectStatus(await http(`${gateway(THREE_REGIONS[i % 3])}/v1/kv/${KEYSPACE}/${key}`, { method: 'PUT', body: value }), 204);
      seeded.set(key, value);
    });
    const before = (await acceptorRows('us-east')).filter((row) => row.key.startsWith('seed-'));
    expect(before.length).toBe(SEEDED.length);
    const stateBefore = new Map(before.map((row) => [row.key, { accepted: row.accepted, etag: row.etag }]));

    // Clients keep reading, writing and compare-and-setting a few keys in every region meanwhile.
    const load = strongLoad(gateway, HOT_KEYS);

    const usEast = regions.cluster.region('us-east');
    const prefix = usEast.storageNode('n1').databaseName.replace(/_n1$/, '');
    // Floors, as garbage collection leaves them: each node's must reach whichever node its keys move to.
    await setFloor(usEast.storageNode('n1').databaseUrl, 1_001, 'us-east.gc.a');
    await setFloor(usEast.storageNode('n2').databaseUrl, 1_002, 'us-east.gc.b');
    let joined = { phases: new Set<string>(), acceptorsMoved: 0, rebuilt: false };
    try {
      await usEast.addStorageNode('n3', prefix);
      await pollUntil(() => ring('us-east'), (view) => view.nodes.some((node) => node.id === 'n3' && node.role === 'standby'), {
        timeoutMs: 20_000,
        what: 'n3 to register as a standby',
      });
      await sleep(1_000);
      joined = await rebalance('us-east', 'POST', '/v1/admin/nodes', '{"nodeId":"n3"}');
      expect(joined.phases).toContain('acceptors');
      expect(joined.acceptorsMoved).toBeGreaterThan(0);
      await sleep(1_000);
      await rebalance('us-east', 'POST', '/v1/admin/nodes/n1/drain');
      await sleep(1_000);
    } finally {
      await load.stop();
    }
    expectLinearizable(load.clients, 'strong rebalance run');

    // Each seeded key's acceptor row is on its acceptor in the final ring, and only there, as it was before.
    const finalRing = await ringOf(gateway('us-east'));
    const after = (await acceptorRows('us-east')).filter((row) => row.key.startsWith('seed-'));
    expect(after.map((row) => row.node).filter((node) => node === 'n1')).toEqual([]);
    const misplaced = after.filter((row) => row.node !== ownerOf(finalRing, KEYSPACE, row.key)).map((row) => `${row.key} on ${row.node}`);
    expect(misplaced).toEqual([]);
    expect(new Map(after.map((row) => [row.key, { accepted: row.accepted, etag: row.etag }]))).toEqual(stateBefore);
    expect(after.filter((row) => row.node === 'n3').length).toBeGreaterThan(0);
    // The floors went with the state: the joining node took the higher of its senders', and so did the
    // nodes that took the drained node's keys.
    for (const node of ['n2', 'n3']) expect({ node, floor: await floorOf(usEast.storageNode(node).databaseUrl) }).toEqual({ node, floor: '1002/us-east.gc.b' });
    // Operators see the handovers: every key the ring reported moved was counted by the node that sent it.
    const handedOver = await counterTotal(
      regions.cluster.region('us-east').storageNodes.map((node) => node.process.httpUrl),
      'geokv_acceptor_handover_keys_total',
    );
    expect(handedOver).toBeGreaterThanOrEqual(joined.acceptorsMoved);

    // A listing after the handovers finds every key on its new acceptor nodes, in every region.
    for (const region of THREE_REGIONS) {
      const listed: string[] = [];
      let cursor: string | null = '';
      for (let page = 0; page < 20 && cursor !== null; page++) {
        const result = await http(`${gateway(region)}/v1/kv/${KEYSPACE}?prefix=seed-&limit=50${cursor === '' ? '' : `&cursor=${cursor}`}`);
        expectStatus(result, 200);
        const body = jsonOf(result) as { keys: string[]; cursor: string | null };
        listed.push(...body.keys);
        cursor = body.cursor;
      }
      expect(listed).toEqual([...SEEDED].sort());
    }

    // Every key reads back in every region, the hot keys included.
    for (const region of THREE_REGIONS) {
      await mapWithConcurrency(SEEDED, 8, async (key) => {
        const read = await http(`${gateway(region)}/v1/kv/${KEYSPACE}/${key}`);
        expectStatus(read, 200);
        expect(read.body.toString('utf8')).toBe(seeded.get(key));
      });
      for (const key of HOT_KEYS) expect([200, 404]).toContain((await http(`${gateway(region)}/v1/kv/${KEYSPACE}/${key}`)).status);
    }
  }, 300_000);

  it('removes a node lost with its state: its keys’ acceptor state is rebuilt from the other regions, under linearizable load, and the node, thawed, votes no more', async () => {
    const LOST = Array.from({ length: 90 }, (_, i) => `lost-${i}`);
    const written = new Map<string, string>();
    await mapWithConcurrency(LOST, 8, async (key, i) => {
      const value = `lost-value-${i}`;
      expectStatus(await http(`${gateway(THREE_REGIONS[i % 3])}/v1/kv/${KEYSPACE}/${key}`, { method: 'PUT', body: value }), 204);
      written.set(key, value);
    });
    const ringBefore = await ringOf(gateway('ap-south'));
    const victimKeys = LOST.filter((key) => ownerOf(ringBefore, KEYSPACE, key) === 'n2');
    expect(victimKeys.length).toBeGreaterThan(10);

    // n2 freezes, as a machine that hangs: it may come back at any moment with the view it had.
    const apSouth = regions.cluster.region('ap-south');
    const victim = apSouth.storageNode('n2');
    // A peer's floor (a key it dropped has no row to rebuild from, only the floor) must reach the new acceptors.
    await setFloor(regions.cluster.region('eu-west').storageNode('n1').databaseUrl, 1_003, 'eu-west.gc.c');
    const load = strongLoad(gateway, HOT_KEYS.map((key) => `lost-${key}`));
    let removal = { phases: new Set<string>(), acceptorsMoved: 0, rebuilt: false };
    let staleAnswer: Promise<BatchResponse<PrepareResult>> | null = null;
    const rpc = await StorageRpc.connect(apSouth.redisUrl);
    try {
      victim.process.kill('SIGSTOP');
      await pollUntil(() => ring('ap-south'), (view) => view.nodes.some((node) => node.id === 'n2' && node.status === 'down'), {
        timeoutMs: 20_000,
        what: 'n2 to be marked down in ap-south',
      });
      removal = await rebalance('ap-south', 'DELETE', '/v1/admin/nodes/n2');
      // A proposer that still takes n2 for the acceptor of one of its keys: n2 reads the prepare when it thaws,
      // with the view it had, beside whatever the proposers sent it while it was frozen.
      const ballot = { counter: Number.MAX_SAFE_INTEGER - 1, proposer: 'ap-south.stale' };
      staleAnswer = rpc.prepare('n2', { items: [{ requestId: 'stale-view', keyspace: KEYSPACE, key: victimKeys[0], ballot }] }, 30_000);
      victim.process.kill('SIGCONT');
      await sleep(4_000);
    } finally {
      victim.process.kill('SIGCONT');
      await load.stop();
      await staleAnswer?.catch(() => undefined);
      await rpc.close();
    }
    // It votes no more: the prepare is refused, not promised.
    expect((await staleAnswer!).outcomes[0]).toEqual({ ok: false, error: expect.objectContaining({ code: 'NOT_ACCEPTOR' }) });
    expectLinearizable(load.clients, 'lost-node removal run');
    expect(removal.phases).toContain('acceptors');
    expect(removal.rebuilt).toBe(true);
    expect(removal.acceptorsMoved).toBeGreaterThanOrEqual(victimKeys.length);
    // SREs see it: the replicator counts the records it merged (each key's state from both other regions).
    expect(await counterTotal([apSouth.replicator!.httpUrl], 'geokv_acceptor_rebuilt_records_total')).toBe(removal.acceptorsMoved);
    // Back, it registers anew, as a standby: it must not rejoin with what it held.
    const after = await pollUntil(() => ring('ap-south'), (view) => view.nodes.some((node) => node.id === 'n2'), { timeoutMs: 15_000, what: 'n2 to register again' });
    expect(after.members).toEqual(['n1']);
    expect(after.nodes.find((node) => node.id === 'n2')?.role).toBe('standby');
    const finalRing = await ringOf(gateway('ap-south'));

    expect(await floorOf(apSouth.storageNode('n1').databaseUrl)).toBe('1003/eu-west.gc.c');

    // Each of n2's keys now has, on its new acceptor, the later of the other two regions' acceptances.
    const peerRows = [...(await acceptorRows('us-east')), ...(await acceptorRows('eu-west'))].filter((row) => victimKeys.includes(row.key));
    const rebuilt = new Map((await acceptorRows('ap-south')).filter((row) => row.node !== 'n2').map((row) => [row.key, row]));
    for (const key of victimKeys) {
      const expected = peerRows.filter((row) => row.key === key).reduce<AcceptorRow | undefined>(laterAccepted, undefined);
      const row = rebuilt.get(key);
      expect({ key, node: row?.node, accepted: row?.accepted, etag: row?.etag }).toEqual({
        key,
        node: ownerOf(finalRing, KEYSPACE, key),
        accepted: expected?.accepted,
        etag: expected?.etag,
      });
    }

    // ap-south's new acceptors vote: with us-east cut off, eu-west and ap-south are the majority.
    const { proxy } = regions.cluster;
    for (const other of ['eu-west', 'ap-south']) {
      proxy.setFaults('us-east', other, { delayMs: 0, blackhole: true });
      proxy.setFaults(other, 'us-east', { delayMs: 0, blackhole: true });
    }
    try {
      await mapWithConcurrency(LOST, 8, async (key) => {
        const read = await http(`${gateway('ap-south')}/v1/kv/${KEYSPACE}/${key}`);
        expectStatus(read, 200);
        expect(read.body.toString('utf8')).toBe(written.get(key));
      });
      expectStatus(await http(`${gateway('eu-west')}/v1/kv/${KEYSPACE}/${victimKeys[0]}`, { method: 'PUT', body: 'after-rebuild' }), 204);
    } finally {
      proxy.healAll();
    }
    const healed = await pollUntil(() => http(`${gateway('us-east')}/v1/kv/${KEYSPACE}/${victimKeys[0]}`), (read) => read.status === 200, {
      timeoutMs: 20_000,
      what: 'us-east to read the key again after the heal',
    });
    expect(healed.body.toString('utf8')).toBe('after-rebuild');
  }, 180_000);
});
