/**
 * Error codes shared by every app. The storage node and membership raise them over RPC; the gateway maps
 * each to one HTTP status (see apps/gateway/src/errors/http-status-of.ts) and puts the code in the body.
 */
export const ErrorCode = {
  BadRequest: 'BAD_REQUEST',
  /** No API key, or one the gateway does not know, where it asks for one. */
  Unauthenticated: 'UNAUTHENTICATED',
  /** An API key whose role may not make this request (a data key on the admin API). */
  Forbidden: 'FORBIDDEN',
  InvalidKey: 'INVALID_KEY',
  InvalidHeader: 'INVALID_HEADER',
  MalformedContext: 'MALFORMED_CONTEXT',
  MalformedJson: 'MALFORMED_JSON',
  InvalidKeyspacePolicy: 'INVALID_KEYSPACE_POLICY',
  Unsupported: 'UNSUPPORTED',
  NotFound: 'NOT_FOUND',
  KeyspaceNotFound: 'KEYSPACE_NOT_FOUND',
  /** A definition of a keyspace that was deleted: a deleted keyspace's name is never reused. */
  KeyspaceDeleted: 'KEYSPACE_DELETED',
  MethodNotAllowed: 'METHOD_NOT_ALLOWED',
  PreconditionFailed: 'PRECONDITION_FAILED',
  /** A write that would grow a key's siblings past the node's limits; a merge written back always applies. */
  TooManySiblings: 'TOO_MANY_SIBLINGS',
  ValueTooLarge: 'VALUE_TOO_LARGE',
  RequestTooLarge: 'REQUEST_TOO_LARGE',
  UnsupportedMediaType: 'UNSUPPORTED_MEDIA_TYPE',
  NodeUnavailable: 'NODE_UNAVAILABLE',
  RingUnavailable: 'RING_UNAVAILABLE',
  StorageUnavailable: 'STORAGE_UNAVAILABLE',
  Timeout: 'TIMEOUT',
  /** A read that carried a causal context the region has not caught up with in time. */
  StaleReplica: 'STALE_REPLICA',
  /**
   * A read or write that needs a majority of regions could not reach one. For a strong keyspace it also
   * promises that the operation was not applied and never will be (see OUTCOME_UNKNOWN).
   */
  NoQuorum: 'NO_QUORUM',
  /**
   * A strong operation whose accept phase was sent but not confirmed by a majority of regions: it may
   * still take effect. Never reported as NO_QUORUM, which promises that nothing was applied.
   */
  OutcomeUnknown: 'OUTCOME_UNKNOWN',
  /** A strong operation outbid by concurrent proposals on the same key until its deadline; nothing applied. */
  Contended: 'CONTENDED',
  /** This node is not the acceptor of the key (its primary replica) in its view of the ring. */
  NotAcceptor: 'NOT_ACCEPTOR',
  /** Fewer replicas of the key than its read or write quorum answered in this region. */
  InsufficientReplicas: 'INSUFFICIENT_REPLICAS',
  /** A join, drain or leave while another one is still running. */
  RebalanceInProgress: 'REBALANCE_IN_PROGRESS',
  NodeNotFound: 'NODE_NOT_FOUND',
  /** A join of a node that is already a member, a drain of one that is not, and so on. */
  InvalidNodeState: 'INVALID_NODE_STATE',
  Internal: 'INTERNAL',
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** The payload of an RpcException raised by a microservice handler. */
export interface RpcErrorBody {
  readonly code: ErrorCode;
  readonly message: string;
}

export function isRpcErrorBody(value: unknown): value is RpcErrorBody {
  if (typeof value !== 'object' || value === null) return false;
  const candidate = value as Record<string, unknown>;
  return typeof candidate.code === 'string' && typeof candidate.message === 'string';
}
