import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import type { PersistentReplyRedisClient } from '@geokv/config';
import { addressTo, regionAddressed, ReplicationPatterns, StoragePatterns, type OutboxReadRequest, type OutboxReadResult, type ReplicatedVersion } from '@geokv/protocol';
import type { ReplicatorConfig } from '../replicator.config';
import { PeerLink } from './peer-link';
import { ShardStream } from './shard-stream';

/** A request the fake transport holds until the test answers it. */
interface Held {
  readonly channel: string;
  readonly payload: Record<string, unknown>;
  readonly answer: (value: unknown) => void;
}

/** Stands in for the Redis transport: records every request and lets the test answer each one when it chooses. */
class ScriptedTransport {
  readonly held: Held[] = [];

  client(): PersistentReplyRedisClient {
    const hold = (channel: string, payload: Record<string, unknown>, answer: (value: unknown) => void): void => {
      this.held.push({ channel, payload, answer });
    };
    return {
      request: (channel: string, payload: Record<string, unknown>): Promise<unknown> => new Promise((answer) => hold(channel, payload, answer)),
      dispatch: (channel: string, payload: Record<string, unknown>, settle: (error: unknown, response?: unknown) => void) => {
        hold(channel, payload, (value) => settle(undefined, value));
        return () => undefined;
      },
    } as unknown as PersistentReplyRedisClient;
  }

  on(channel: string): Held[] {
    return this.held.filter((request) => request.channel === channel);
  }
}

const NODE = 'n1';
const OUTBOX_READ = addressTo(StoragePatterns.outboxRead, NODE);
const SHIP = regionAddressed(ReplicationPatterns.ship, 'eu-west');

const config = {
  GEOKV_REGION: 'us-east',
  GEOKV_REPLICATION_BATCH: 3,
  GEOKV_REPLICATION_PIPELINE: 4,
  GEOKV_REPLICATION_WAIT_MS: 1_000,
  GEOKV_REPLICATION_RETRY_MS: 500,
  GEOKV_RPC_TIMEOUT_MS: 5_000,
  GEOKV_SHIPMENT_TIMEOUT_MS: 5_000,
} as ReplicatorConfig;

function version(n: number): ReplicatedVersion {
  return { keyspace: 'ks', key: `k${n}` } as ReplicatedVersion;
}

/** A page of `count` versions ending at outbox row `lastId`. */
function page(lastId: number, count: number): OutboxReadResult {
  return {
    versions: Array.from({ length: count }, (_, i) => version(lastId - count + 1 + i)),
    next: { txid: '7', id: String(lastId) },
    pending: null,
  };
}

/** Lets the stream's promises and its 10 ms pause between shipments run. */
const settle = (): Promise<unknown> => sleep(30);

describe('ShardStream', () => {
  let transport: ScriptedTransport;
  let link: PeerLink;
  let stream: ShardStream;
  let running: Promise<void>;

  beforeAll(() => Logger.overrideLogger(false));
  afterAll(() => Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']));

  beforeEach(() => {
    transport = new ScriptedTransport();
    link = new PeerLink('eu-west', transport.client());
    stream = new ShardStream(link, NODE, {
      local: transport.client(),
      config,
      logger: new Logger('test'),
      strategiesFor: () => ({ ks: 'lww' }),
      onShipped: () => undefined,
    });
    running = stream.run();
  });

  afterEach(async () => {
    stream.stop();
    // Answer whatever is held (again: a second answer changes nothing) until the loop sees it was stopped and ends,
    // so that no request's deadline timer outlives the test.
    let ended = false;
    void running.then(() => (ended = true));
    const answerAll = (): void => {
      for (const request of transport.held) request.answer(request.channel === OUTBOX_READ ? page(0, 0) : { applied: 0 });
    };
    while (!ended) {
      answerAll();
      await settle();
    }
  });

  it('without a backlog, on a short link or one not yet measured, ships one batch at a time: what is written meanwhile waits for the next', async () => {
    await settle();
    transport.on(OUTBOX_READ)[0].answer(page(1, 1));
    await settle();
    expect(transport.on(SHIP)).toHaveLength(1);
    // The shipment is still travelling: no read ahead, no second shipment.
    await settle();
    expect(transport.on(OUTBOX_READ)).toHaveLength(1);

    transport.on(SHIP)[0].answer({ applied: 1 });
    await settle();
    const reads = transport.on(OUTBOX_READ);
    expect(reads).toHaveLength(2);
    // Nothing in flight: it waits for commits and counts what the peer lacks after what it has applied.
    expect(reads[1].payload).toMatchObject({ after: { txid: '7', id: '1' }, countPending: true, waitMs: 1_000 });
  });

  it('without a backlog, on a long link, lets a small shipment follow one still travelling once that has been out 25 ms', async () => {
    link.recordRoundTrip(110, Date.now());
    await settle();
    transport.on(OUTBOX_READ)[0].answer(page(1, 1));
    await nthRequest(SHIP, 1);
    // The first shipment is unanswered; a read for what was committed since goes out after 25 ms.
    const next = await nthRequest(OUTBOX_READ, 2);
    expect(next.payload).toMatchObject({ after: { txid: '7', id: '1' }, countPending: false, waitMs: 50 });
    next.answer(page(2, 1));
    const second = await nthRequest(SHIP, 2);
    expect((second.payload.versions as ReplicatedVersion[]).map((version) => version.key)).toEqual(['k2']);
    expect(transport.on(SHIP)[0].payload.versions).toHaveLength(1);
  });

  it('without a backlog, on a short link, still ships one batch at a time', async () => {
    link.recordRoundTrip(5, Date.now());
    await settle();
    transport.on(OUTBOX_READ)[0].answer(page(1, 1));
    await nthRequest(SHIP, 1);
    await sleep(60);
    expect(transport.on(OUTBOX_READ)).toHaveLength(1);
  });

  it('with a backlog, reads ahead and keeps several shipments in flight', async () => {
    await settle();
    transport.on(OUTBOX_READ)[0].answer(page(3, 3)); // a full page: there is more
    await settle();
    const readAhead = transport.on(OUTBOX_READ)[1];
    expect(readAhead.payload).toMatchObject({ after: { txid: '7', id: '3' }, waitMs: 0, countPending: false });
    readAhead.answer(page(6, 3));
    await settle();
    expect(transport.on(SHIP)).toHaveLength(2);
  });

  it('acknowledges what the peer applied with the next read, never in a message of its own', async () => {
    const first = await nthRequest(OUTBOX_READ, 1);
    expect(first.payload.acknowledge).toBeUndefined();
    first.answer(page(1, 1));
    (await nthRequest(SHIP, 1)).answer({ applied: 1 });
    const second = await nthRequest(OUTBOX_READ, 2);
    expect(second.payload.acknowledge).toEqual({ txid: '7', id: '1' });

    // Once a read carrying it is answered, the next read acknowledges only what was applied since.
    second.answer(page(2, 1));
    (await nthRequest(SHIP, 2)).answer({ applied: 1 });
    const third = await nthRequest(OUTBOX_READ, 3);
    expect(third.payload.acknowledge).toEqual({ txid: '7', id: '2' });
    third.answer(page(2, 0));
    expect((await nthRequest(OUTBOX_READ, 4)).payload.acknowledge).toBeUndefined();
    expect(transport.held.every((request) => request.channel === OUTBOX_READ || request.channel === SHIP)).toBe(true);
  });

  it('keeps an acknowledgement whose read failed for the read that starts again from the cursor', async () => {
    await settle();
    transport.on(OUTBOX_READ)[0].answer(page(3, 3)); // a full page: the stream reads ahead
    await settle();
    transport.on(OUTBOX_READ)[1].answer(page(6, 3));
    await settle();
    const [first, second] = transport.on(SHIP);
    first.answer({ applied: 3 });
    await settle();
    const readAhead = transport.on(OUTBOX_READ)[2];
    expect(readAhead.payload.acknowledge).toEqual({ txid: '7', id: '3' });
    for (const failing of [readAhead, second]) {
      transport.held.splice(transport.held.indexOf(failing), 1);
      failing.answer(Promise.reject(new Error('unreachable')));
    }
    await sleep(config.GEOKV_REPLICATION_RETRY_MS + 100);
    const restart = transport.on(OUTBOX_READ).at(-1)!;
    expect(restart.payload.after).toBeUndefined();
    expect(restart.payload.acknowledge).toEqual({ txid: '7', id: '3' });
  });

  it('reports nothing pending once the peer has applied a page that held every readable row, before the next read returns', async () => {
    (await nthRequest(OUTBOX_READ, 1)).answer({ ...page(2, 2), pending: { backlog: 2, oldestPendingAtMs: Date.now() - 5_000 } });
    const shipment = await nthRequest(SHIP, 1);
    expect(link.status(Date.now())).toMatchObject({ backlog: 2, lagSeconds: expect.closeTo(5, 0) });

    shipment.answer({ applied: 2 });
    // The next read waits for commits that may never come; the status does not wait with it.
    await nthRequest(OUTBOX_READ, 2);
    expect(link.status(Date.now())).toMatchObject({ backlog: 0, lagSeconds: 0 });
  });

  it('does not report a drained stream when a page is applied long after its read: rows written since may be pending', async () => {
    (await nthRequest(OUTBOX_READ, 1)).answer({ ...page(2, 2), pending: { backlog: 2, oldestPendingAtMs: Date.now() - 5_000 } });
    const shipment = await nthRequest(SHIP, 1);
    // The shipment is held, as through a partition, while the region goes on writing.
    await sleep(400);
    shipment.answer({ applied: 2 });
    const next = await nthRequest(OUTBOX_READ, 2);
    expect(link.status(Date.now()).backlog).toBe(2);
    // The read that follows says what is pending now, without waiting for a commit first.
    expect(next.payload).toMatchObject({ waitMs: 0, countPending: true });
    next.answer({ ...page(9, 3), pending: { backlog: 7, oldestPendingAtMs: Date.now() - 30_000 } });
    await settle();
    expect(link.status(Date.now())).toMatchObject({ backlog: 7, lagSeconds: expect.closeTo(30, 0) });
  });

  it('reports a drained stream as soon as a look after a late apply finds nothing, then waits for commits again', async () => {
    (await nthRequest(OUTBOX_READ, 1)).answer({ ...page(2, 2), pending: { backlog: 2, oldestPendingAtMs: Date.now() - 5_000 } });
    const shipment = await nthRequest(SHIP, 1);
    await sleep(400);
    shipment.answer({ applied: 2 });
    (await nthRequest(OUTBOX_READ, 2)).answer({ versions: [], next: null, pending: { backlog: 0, oldestPendingAtMs: null } });
    const longPoll = await nthRequest(OUTBOX_READ, 3);
    expect(link.status(Date.now())).toMatchObject({ backlog: 0, lagSeconds: 0 });
    expect(longPoll.payload).toMatchObject({ waitMs: config.GEOKV_REPLICATION_WAIT_MS });
  });

  it('keeps the count a full page came with until a read says otherwise: more rows lie beyond it', async () => {
    (await nthRequest(OUTBOX_READ, 1)).answer({ ...page(3, 3), pending: { backlog: 5, oldestPendingAtMs: Date.now() - 5_000 } });
    const readAhead = await nthRequest(OUTBOX_READ, 2);
    (await nthRequest(SHIP, 1)).answer({ applied: 3 });
    await settle();
    expect(link.status(Date.now()).backlog).toBe(5);
    readAhead.answer({ ...page(5, 2), pending: null });
    (await nthRequest(SHIP, 2)).answer({ applied: 2 });
    await nthRequest(OUTBOX_READ, 3);
    expect(link.status(Date.now()).backlog).toBe(0);
  });

  /** The stream's `n`th request on `channel`, once it has made it. */
  async function nthRequest(channel: string, n: number): Promise<Held> {
    for (let waited = 0; transport.on(channel).length < n; waited += 5) {
      if (waited > 2_000) throw new Error(`the stream made ${transport.on(channel).length} requests on ${channel}, not ${n}`);
      await sleep(5);
    }
    return transport.on(channel)[n - 1];
  }

  /** Has the stream read one row and ship it, and the shipment fail. */
  async function shipOneThatFails(): Promise<void> {
    await settle();
    transport.on(OUTBOX_READ)[0].answer(page(1, 1));
    await settle();
    // Nest's client errors a reply with an `err` by rejecting; the fake rejects the same way.
    const failed = transport.on(SHIP)[0];
    transport.held.splice(transport.held.indexOf(failed), 1);
    failed.answer(Promise.reject(new Error('peer unreachable')));
  }

  it('starts again from the cursor after a failed shipment', async () => {
    await shipOneThatFails();
    await sleep(config.GEOKV_REPLICATION_RETRY_MS + 100);
    const reads = transport.on(OUTBOX_READ) as (Held & { payload: Partial<OutboxReadRequest> })[];
    expect(reads).toHaveLength(2);
    expect(reads[1].payload.after).toBeUndefined();
  });

  it('cuts its pause short when the peer answers again after a dark spell', async () => {
    await shipOneThatFails();
    await settle();
    expect(transport.on(OUTBOX_READ)).toHaveLength(1); // pausing for GEOKV_REPLICATION_RETRY_MS

    link.recordContact(Date.now()); // the link has healed: a probe is answered
    await settle();
    expect(transport.on(OUTBOX_READ)).toHaveLength(2);
  });
});
