import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { ErrorCode, type BatchRequest, type BatchResponse } from '@geokv/protocol';

/** The error type an app would map item failures to. */
class ItemError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}
import { NodeRequestCoalescer, type CoalescingLimits } from './node-request-coalescer';

/** A node that answers each item with its double, when the test says so. */
class FakeNode {
  readonly messages: { nodeId: string; items: number[]; timeoutMs: number; reply: (response?: BatchResponse<number> | Error) => void }[] = [];

  readonly send = (nodeId: string, request: BatchRequest<number>, timeoutMs: number): Promise<BatchResponse<number>> =>
    new Promise((resolve, reject) => {
      const items = [...request.items];
      this.messages.push({
        nodeId,
        items,
        timeoutMs,
        reply: (response) => {
          if (response instanceof Error) reject(response);
          else resolve(response ?? { outcomes: items.map((item) => ({ ok: true, value: item * 2 })) });
        },
      });
    });
}

const LIMITS: CoalescingLimits<number> = { maxItems: 4, maxBytes: 100, bytesOf: (item) => item, maxInFlight: 1, errorOf: (body) => new ItemError(body.code, body.message) };
const TIMEOUT_MS = 5_000;

describe('NodeRequestCoalescer', () => {
  let node: FakeNode;
  let coalescer: NodeRequestCoalescer<number, number>;

  beforeEach(() => {
    node = new FakeNode();
    coalescer = new NodeRequestCoalescer(node.send, LIMITS, TIMEOUT_MS);
  });

  it('sends the requests of one event-loop turn in one message per node, and answers each', async () => {
    const answers = [coalescer.call('n1', 1), coalescer.call('n2', 2), coalescer.call('n1', 3)];
    expect(node.messages).toHaveLength(0);
    await nextTurn();
    expect(node.messages.map(({ nodeId, items }) => ({ nodeId, items }))).toEqual([
      { nodeId: 'n1', items: [1, 3] },
      { nodeId: 'n2', items: [2] },
    ]);
    node.messages.forEach((message) => message.reply());
    await expect(Promise.all(answers)).resolves.toEqual([2, 4, 6]);
  });

  it('queues requests while a node has maxInFlight messages pending, then sends them together', async () => {
    const first = coalescer.call('n1', 1);
    await nextTurn();
    const queued = [coalescer.call('n1', 2), coalescer.call('n1', 3)];
    await nextTurn();
    const later = coalescer.call('n1', 4);
    await nextTurn();
    expect(node.messages.map((message) => message.items)).toEqual([[1]]);

    node.messages[0].reply();
    await expect(first).resolves.toBe(2);
    await nextTurn();
    expect(node.messages.map((message) => message.items)).toEqual([[1], [2, 3, 4]]);
    node.messages[1].reply();
    await expect(Promise.all([...queued, later])).resolves.toEqual([4, 6, 8]);
  });

  it('splits by count and by bytes, and sends an oversized request alone', async () => {
    const wide = new NodeRequestCoalescer(node.send, { ...LIMITS, maxInFlight: 10 }, TIMEOUT_MS);
    for (const item of [1, 1, 1, 1, 1, 60, 50, 500, 1]) void wide.call('n1', item);
    await nextTurn();
    expect(node.messages.map((message) => message.items)).toEqual([[1, 1, 1, 1], [1, 60], [50], [500], [1]]);
  });

  it('rejects each request of a failed message, and only its own request for a failed item', async () => {
    const answers = [coalescer.call('n1', 1), coalescer.call('n1', 2)].map((answer) => answer.catch((error: unknown) => error));
    await nextTurn();
    node.messages[0].reply({
      outcomes: [
        { ok: true, value: 2 },
        { ok: false, error: { code: ErrorCode.PreconditionFailed, message: 'etag mismatch' } },
      ],
    });
    const [ok, failed] = await Promise.all(answers);
    expect(ok).toBe(2);
    expect(failed).toBeInstanceOf(ItemError);
    expect(failed).toMatchObject({ code: ErrorCode.PreconditionFailed, message: 'etag mismatch' });

    const timedOut = [coalescer.call('n1', 3), coalescer.call('n1', 4)].map((answer) => answer.catch((error: unknown) => error));
    await nextTurn();
    node.messages[1].reply(new Error('timeout'));
    expect((await Promise.all(timedOut)).map((error) => (error as Error).message)).toEqual(['timeout', 'timeout']);

    // The failure freed the node's slot.
    const after = coalescer.call('n1', 5);
    await nextTurn();
    node.messages[2].reply();
    await expect(after).resolves.toBe(10);
  });

  it('counts each request as the recent replies weigh when replyBytesOf is given: large replies, small messages', async () => {
    // A node that answers at once, each item with itself; the reply to item n weighs n bytes.
    const sent: number[][] = [];
    const answerAtOnce = async (_nodeId: string, request: BatchRequest<number>): Promise<BatchResponse<number>> => {
      sent.push([...request.items]);
      return { outcomes: request.items.map((item) => ({ ok: true, value: item })) };
    };
    const reads = new NodeRequestCoalescer(answerAtOnce, { ...LIMITS, maxItems: 16, bytesOf: () => 0, replyBytesOf: (value: number) => value }, TIMEOUT_MS);
    await Promise.all(Array.from({ length: 16 }, () => reads.call('n1', 2)));
    expect(sent.map((items) => items.length)).toEqual([16]);

    // Ten replies of 200 bytes take the running average past the 100-byte limit: each request now goes alone.
    for (let i = 0; i < 10; i++) await reads.call('n1', 200);
    sent.length = 0;
    await Promise.all(Array.from({ length: 3 }, () => reads.call('n1', 200)));
    expect(sent.map((items) => items.length)).toEqual([1, 1, 1]);
  });

  it("counts a request's wait for a slot in its deadline: a message carries what is left of its oldest request's", async () => {
    const short = new NodeRequestCoalescer(node.send, LIMITS, 200);
    const begun = performance.now();
    void short.call('n1', 1).catch(() => undefined);
    await nextTurn();
    // Sent at once, with all of the deadline that is left (a busy machine may take a few ms to get here).
    expect(node.messages[0].timeoutMs).toBeGreaterThanOrEqual(200 - Math.ceil(performance.now() - begun));
    expect(node.messages[0].timeoutMs).toBeLessThanOrEqual(200);
    const queued = short.call('n1', 2);
    await sleep(80);
    node.messages[0].reply();
    await nextTurn();
    await nextTurn();
    expect(node.messages[1].items).toEqual([2]);
    expect(node.messages[1].timeoutMs).toBeLessThanOrEqual(125);
    node.messages[1].reply();
    await expect(queued).resolves.toBe(4);
  });

  it('fails with TIMEOUT, unsent, a request whose deadline passed while the messages ahead went unanswered', async () => {
    const short = new NodeRequestCoalescer(node.send, LIMITS, 50);
    const first = short.call('n1', 1).catch((error: unknown) => error);
    await nextTurn();
    const queued = short.call('n1', 2).catch((error: unknown) => error);
    await sleep(60);
    // The silent node's message failed at its deadline (the transport's timeout, in production).
    node.messages[0].reply(new Error('timeout'));
    expect(await first).toMatchObject({ message: 'timeout' });
    expect(await queued).toBeInstanceOf(ItemError);
    expect(await queued).toMatchObject({ code: ErrorCode.Timeout, message: expect.stringContaining('not sent to n1 within 50 ms') });
    await nextTurn();
    expect(node.messages).toHaveLength(1);
  });
});
