import { ErrorCode } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';

/**
 * Whether a request failed without reaching a node that could answer it: silence until the deadline, or
 * nothing listening (a node that died before membership marked it down). A storage node never answers
 * TIMEOUT or NODE_UNAVAILABLE itself: those codes here are always the transport's.
 */
function isUnreached(error: unknown): boolean {
  return error instanceof ApiError && (error.code === ErrorCode.Timeout || error.code === ErrorCode.NodeUnavailable);
}

/**
 * Gives a request to the first node and, if it has not answered within `hedgeMs`, to the second as well;
 * the first success is the answer. A node that stalls (frozen, paused, its database hung) keeps its
 * membership alive or has not been marked down yet, and without a second request every read it
 * coordinates waits for the whole RPC deadline. A delay above 0 only for requests that are safe to make
 * twice: reads. A first node that fails unreached hands over to the second at once; one that fails
 * otherwise before the hedge is the answer. When both fail, the more telling error: the first that is not
 * merely unreached, else the second node's. `hedgeMs` 0 hands over only when the first node is
 * unreached: failover, as writes use it.
 */
export function hedgedCall<R>(nodes: readonly string[], call: (node: string) => Promise<R>, hedgeMs: number): Promise<R> {
  if (nodes.length < 2) return call(nodes[0]);
  return new Promise<R>((resolve, reject) => {
    const errors: unknown[] = [];
    let settled = false;
    let secondStarted = false;
    let timer: NodeJS.Timeout | undefined;

    const succeed = (value: R): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(value);
    };
    const fail = (index: number, error: unknown): void => {
      if (settled) return;
      errors[index] = error;
      if (index === 0 && !secondStarted) {
        if (isUnreached(error)) {
          startSecond();
          return;
        }
        settled = true;
        clearTimeout(timer);
        reject(error);
        return;
      }
      if (errors[0] === undefined || errors[1] === undefined) return;
      settled = true;
      reject(errors.find((candidate) => !isUnreached(candidate)) ?? errors[1]);
    };
    const attempt = (index: number): void => {
      call(nodes[index]).then(succeed, (error: unknown) => fail(index, error));
    };
    const startSecond = (): void => {
      if (secondStarted) return;
      secondStarted = true;
      clearTimeout(timer);
      attempt(1);
    };

    attempt(0);
    if (hedgeMs > 0) timer = setTimeout(() => !settled && startSecond(), hedgeMs);
  });
}
