import { TransportTimeoutError } from '@geokv/config';
import type { PeerLink } from './peer-link';

/** How often a request waiting on a dark link looks again whether the link has come back. */
const DARK_RECHECK_MS = 1_000;

/** A request that the peer's replicator had not answered when a process this link had not heard from answered something else. */
export class PeerRestartedError extends Error {
  override readonly name = 'PeerRestartedError';
}

/**
 * One request to a peer region whose deadline counts only time the link is alive. While the peer answers
 * nothing (the link is cut or stalled, or the peer is down), a request cannot be known lost: what a
 * stalled link holds is delivered when it heals, and sending it again could only queue behind it. A
 * deadline that ran on through a partition expired around the heal, just as the peer was applying what
 * had been held, and the same rows were shipped and applied twice while the backlog drained. Once the peer
 * answers again, the request gets the full `timeoutMs` more; on a live link it is an ordinary deadline.
 * An answer from a new process of the peer's replicator fails the request at once: the process it went to
 * is gone (or there was none), and waiting out the deadline would only delay sending it again.
 */
export function sendOverLink<T>(link: PeerLink, channel: string, payload: object, timeoutMs: number): Promise<T> {
  const sentAtMs = Date.now();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    let watchdog: NodeJS.Timeout | undefined;
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      stopListening();
      giveUp();
      settle();
    };
    const stopListening = link.onPeerRestart(() =>
      finish(() => reject(new PeerRestartedError(`a new process of the peer's replicator answered before this request on ${channel} was`))),
    );
    const check = (): void => {
      const nowMs = Date.now();
      const deadlineMs = link.deadlineOf(sentAtMs, timeoutMs, nowMs);
      if (deadlineMs !== null && nowMs >= deadlineMs) {
        finish(() => reject(new TransportTimeoutError(`no answer on ${channel} within ${timeoutMs} ms of a live link`)));
        return;
      }
      watchdog = setTimeout(check, deadlineMs === null ? DARK_RECHECK_MS : deadlineMs - nowMs).unref();
    };
    const giveUp = link.client.dispatch(channel, payload, (error, response) =>
      finish(() => (error === undefined ? resolve(response as T) : reject(error))),
    );
    watchdog = setTimeout(check, timeoutMs).unref();
  });
}
