/**
 * Private reply channels on the Redis transport. Nest's client waits for replies on `<pattern>.reply`,
 * a channel every process that ever sent on the pattern subscribes to, so every reply reached every such
 * process: each storage node heard the answers to the other nodes' replica writes, each region's
 * replicator the answers to the other peers' shipments, and each added gateway would multiply the reply
 * traffic of all of them. A geokv client names itself in each request (`replyId`) and listens on
 * `<pattern>.<replyId>.reply`; a geokv server answers there, and on `<pattern>.reply` to a request that
 * names no client.
 */

/** The request field that names the client's reply channel. */
export const REPLY_ID_FIELD = 'replyId';

/** What a server accepts as a reply id: it becomes part of a channel name. */
const REPLY_ID = /^[0-9a-f]{1,32}$/;

/** The pattern whose `.reply` channel answers a request from the client named `replyId`. */
export function privateReplyPattern(pattern: string, replyId: string): string {
  return `${pattern}.${replyId}`;
}

/** The reply id a request names, if it names a valid one. */
export function replyIdOf(packet: unknown): string | undefined {
  const replyId = (packet as Record<string, unknown> | null)?.[REPLY_ID_FIELD];
  return typeof replyId === 'string' && REPLY_ID.test(replyId) ? replyId : undefined;
}
