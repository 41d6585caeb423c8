/** A transport request that had no answer within its deadline: it may or may not have been carried out. */
export class TransportTimeoutError extends Error {
  override readonly name = 'TimeoutError';
}
