/**
 * A request no process was subscribed to receive: Redis counted no receiver for its publish. Pub/sub
 * delivers only to whoever is subscribed at that instant, so the request was not carried out and no answer
 * will come: the process it was meant for is down, or not subscribed yet. Waiting out its deadline would
 * only delay the caller's next move (another replica, a 503).
 */
export class NoReceiverError extends Error {
  override readonly name = 'NoReceiverError';
}
