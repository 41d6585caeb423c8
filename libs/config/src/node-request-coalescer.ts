import { ErrorCode, type BatchRequest, type BatchResponse, type RpcErrorBody } from '@geokv/protocol';

/**
 * Sends one batch message to a node and resolves with its reply (over the transport, in production), or
 * rejects once `timeoutMs` has passed without one.
 */
export type SendBatch<T, R> = (nodeId: string, request: BatchRequest<T>, timeoutMs: number) => Promise<BatchResponse<R>>;

/** Weight of each new reply in the running average of reply sizes: about the last ten replies count. */
const REPLY_WEIGHT = 0.1;

interface Waiting<T, R> {
  readonly item: T;
  /** performance.now() past which the caller has given up on it. */
  readonly deadline: number;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

export interface CoalescingLimits<T, R = unknown> {
  /** Most requests in one message. */
  readonly maxItems: number;
  /** Most payload bytes (as `bytesOf` counts them) in one message; a single larger request goes alone. */
  readonly maxBytes: number;
  readonly bytesOf: (item: T) => number;
  /**
   * For requests whose replies carry the payload (reads): the bytes of one reply. Each request then also
   * counts towards maxBytes as the average of the recent replies, so that a node serving large values gets
   * small messages (each answered within its deadline) and one serving small values still gets full ones.
   */
  replyBytesOf?(value: R): number;
  /** Most messages awaiting a reply per node; requests made meanwhile queue and go out together. */
  readonly maxInFlight: number;
  /** The error one failed item rejects with (each app has its own error type). */
  readonly errorOf: (body: RpcErrorBody) => Error;
}

/**
 * Coalesces the requests for one storage node into batch messages. A request made while the node already
 * has `maxInFlight` messages awaiting replies waits, and goes out with the others that queued meanwhile in
 * one message, as soon as a reply frees a slot. Alone, a request goes out at the end of its event-loop turn
 * with no added delay; under load, the busier the node, the larger its messages, so each transport round
 * trip (one publish, one reply, one pass through each side's message pipeline) carries dozens of requests.
 * Each request still gets its own outcome, and a failure of the whole message (a timeout) fails each of
 * its requests.
 *
 * A request's deadline (`timeoutMs`) runs from its call, its wait for a slot included: a message carries
 * what is left of its oldest request's deadline, and a request whose deadline passed while the node's
 * earlier messages went unanswered fails with TIMEOUT without being sent. Otherwise each request queued
 * behind a silent node waited out the messages ahead of it and then a whole deadline of its own.
 */
export class NodeRequestCoalescer<T, R> {
  private readonly queues = new Map<string, Waiting<T, R>[]>();
  private readonly inFlight = new Map<string, number>();
  private flushScheduled = false;
  /** Recent replies' average bytes (see replyBytesOf). */
  private replyBytes = 0;

  constructor(
    private readonly sendBatch: SendBatch<T, R>,
    private readonly limits: CoalescingLimits<T, NoInfer<R>>,
    private readonly timeoutMs: number,
  ) {}

  call(nodeId: string, item: T): Promise<R> {
    const deadline = performance.now() + this.timeoutMs;
    return new Promise<R>((resolve, reject) => {
      let queue = this.queues.get(nodeId);
      if (queue === undefined) {
        queue = [];
        this.queues.set(nodeId, queue);
      }
      queue.push({ item, deadline, resolve, reject });
      this.scheduleFlush();
    });
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      for (const nodeId of this.queues.keys()) this.sendQueued(nodeId);
    });
  }

  private sendQueued(nodeId: string): void {
    const queue = this.queues.get(nodeId)!;
    this.expireQueued(nodeId, queue);
    while (queue.length > 0 && (this.inFlight.get(nodeId) ?? 0) < this.limits.maxInFlight) {
      const group = queue.splice(0, this.groupSize(queue));
      this.inFlight.set(nodeId, (this.inFlight.get(nodeId) ?? 0) + 1);
      void this.send(nodeId, group).finally(() => {
        this.inFlight.set(nodeId, this.inFlight.get(nodeId)! - 1);
        if (this.queues.get(nodeId)!.length > 0) this.scheduleFlush();
      });
    }
  }

  /** Fails the requests whose deadline passed in the queue; all share one timeout, so they are at its front. */
  private expireQueued(nodeId: string, queue: Waiting<T, R>[]): void {
    const now = performance.now();
    let expired = 0;
    while (expired < queue.length && queue[expired].deadline <= now) expired += 1;
    if (expired === 0) return;
    const error = this.limits.errorOf({
      code: ErrorCode.Timeout,
      message: `not sent to ${nodeId} within ${this.timeoutMs} ms: its earlier messages were still unanswered`,
    });
    for (const waiting of queue.splice(0, expired)) waiting.reject(error);
  }

  /** How many requests from the front of the queue fit in one message (always at least one). */
  private groupSize(queue: readonly Waiting<T, R>[]): number {
    let bytes = this.limits.bytesOf(queue[0].item) + this.replyBytes;
    let count = 1;
    while (count < queue.length && count < this.limits.maxItems) {
      bytes += this.limits.bytesOf(queue[count].item) + this.replyBytes;
      if (bytes > this.limits.maxBytes) break;
      count += 1;
    }
    return count;
  }

  private async send(nodeId: string, group: readonly Waiting<T, R>[]): Promise<void> {
    const request: BatchRequest<T> = { items: group.map((waiting) => waiting.item) };
    try {
      // The oldest request's deadline is the soonest: the queue is in call order.
      const timeoutMs = Math.max(1, Math.ceil(group[0].deadline - performance.now()));
      const response = await this.sendBatch(nodeId, request, timeoutMs);
      group.forEach((waiting, i) => {
        const outcome = response.outcomes[i];
        if (outcome.ok) {
          this.recordReply(outcome.value);
          waiting.resolve(outcome.value);
        } else {
          waiting.reject(this.limits.errorOf(outcome.error));
        }
      });
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
    }
  }

  private recordReply(value: R): void {
    if (this.limits.replyBytesOf === undefined) return;
    this.replyBytes += (this.limits.replyBytesOf(value) - this.replyBytes) * REPLY_WEIGHT;
  }
}
