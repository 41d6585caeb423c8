import { addressTo, type BatchRequest, type BatchResponse } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import type { RpcClient } from './rpc-client';

interface Waiting<T, R> {
  readonly item: T;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

export interface CoalescingLimits<T> {
  /** Most requests in one message. */
  readonly maxItems: number;
  /** Most payload bytes (as `bytesOf` counts them) in one message; a single larger request goes alone. */
  readonly maxBytes: number;
  readonly bytesOf: (item: T) => number;
}

/**
 * Coalesces the requests for one storage node made within one event-loop turn into one batch message.
 * Under load, dozens of requests share one transport round trip (one publish, one reply, one pass through
 * each side's message pipeline); alone, a request goes out by itself at the end of the turn. Each request
 * still gets its own outcome, and a failure of the whole message (a timeout) fails each of its requests.
 */
export class NodeRequestCoalescer<T, R> {
  private waiting = new Map<string, Waiting<T, R>[]>();
  private flushScheduled = false;

  constructor(
    private readonly rpc: RpcClient,
    /** A node-addressed batch pattern, e.g. StoragePatterns.writeBatch. */
    private readonly pattern: string,
    private readonly limits: CoalescingLimits<T>,
  ) {}

  call(nodeId: string, item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const queue = this.waiting.get(nodeId) ?? [];
      queue.push({ item, resolve, reject });
      this.waiting.set(nodeId, queue);
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const waiting = this.waiting;
    this.waiting = new Map();
    this.flushScheduled = false;
    for (const [nodeId, queue] of waiting) {
      let group: Waiting<T, R>[] = [];
      let bytes = 0;
      for (const waiting of queue) {
        const size = this.limits.bytesOf(waiting.item);
        if (group.length > 0 && (group.length >= this.limits.maxItems || bytes + size > this.limits.maxBytes)) {
          void this.send(nodeId, group);
          group = [];
          bytes = 0;
        }
        group.push(waiting);
        bytes += size;
      }
      if (group.length > 0) void this.send(nodeId, group);
    }
  }

  private async send(nodeId: string, group: readonly Waiting<T, R>[]): Promise<void> {
    const request: BatchRequest<T> = { items: group.map((waiting) => waiting.item) };
    try {
      const response = await this.rpc.request<BatchResponse<R>>(addressTo(this.pattern, nodeId), request, this.pattern);
      group.forEach((waiting, i) => {
        const outcome = response.outcomes[i];
        if (outcome.ok) waiting.resolve(outcome.value);
        else waiting.reject(new ApiError(outcome.error.code, outcome.error.message));
      });
    } catch (error) {
      for (const waiting of group) waiting.reject(error);
    }
  }
}
