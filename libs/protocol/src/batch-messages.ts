import type { RpcErrorBody } from './error-codes';

/**
 * Several independent requests for one node in one message. Each item keeps its own request id and gets
 * its own outcome: one item's failure never fails the others.
 */
export interface BatchRequest<T> {
  readonly items: readonly T[];
}

export type ItemOutcome<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: RpcErrorBody };

export interface BatchResponse<T> {
  /** In the order of the request's items. */
  readonly outcomes: readonly ItemOutcome<T>[];
}
