import { Injectable } from '@nestjs/common';

/**
 * The acceptor operations this node has admitted and not yet committed. A handover must read a key's state
 * only after every operation admitted before the key stopped being answered has committed; one still
 * running could otherwise change the state after it was copied, and the new acceptor would lack a promise
 * or an acceptance that a proposer had already counted.
 */
@Injectable()
export class AcceptorsInFlight {
  private readonly running = new Set<Promise<unknown>>();

  /** Tracks `operation` until it settles; returns it unchanged. */
  track<T>(operation: Promise<T>): Promise<T> {
    this.running.add(operation);
    const forget = (): void => void this.running.delete(operation);
    operation.then(forget, forget);
    return operation;
  }

  /** Resolves once every operation running now has settled (whether or not it succeeded). */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
