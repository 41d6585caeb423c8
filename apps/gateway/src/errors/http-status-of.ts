import { ErrorCode } from '@geokv/protocol';

/** The one mapping from error codes to HTTP statuses. */
const STATUS_BY_CODE: Record<ErrorCode, number> = {
  [ErrorCode.BadRequest]: 400,
  [ErrorCode.Unauthenticated]: 401,
  [ErrorCode.Forbidden]: 403,
  [ErrorCode.InvalidKey]: 400,
  [ErrorCode.InvalidHeader]: 400,
  [ErrorCode.MalformedContext]: 400,
  [ErrorCode.MalformedJson]: 400,
  [ErrorCode.InvalidKeyspacePolicy]: 400,
  [ErrorCode.Unsupported]: 400,
  [ErrorCode.NotFound]: 404,
  [ErrorCode.KeyspaceNotFound]: 404,
  [ErrorCode.KeyspaceDeleted]: 409,
  [ErrorCode.MethodNotAllowed]: 405,
  [ErrorCode.PreconditionFailed]: 412,
  [ErrorCode.TooManySiblings]: 409,
  [ErrorCode.ValueTooLarge]: 413,
  [ErrorCode.RequestTooLarge]: 431,
  [ErrorCode.UnsupportedMediaType]: 415,
  [ErrorCode.NodeUnavailable]: 503,
  [ErrorCode.RingUnavailable]: 503,
  [ErrorCode.StorageUnavailable]: 503,
  [ErrorCode.Timeout]: 503,
  [ErrorCode.StaleReplica]: 503,
  [ErrorCode.NoQuorum]: 503,
  [ErrorCode.InsufficientReplicas]: 503,
  [ErrorCode.OutcomeUnknown]: 503,
  [ErrorCode.Contended]: 503,
  [ErrorCode.NotAcceptor]: 503,
  [ErrorCode.RebalanceInProgress]: 409,
  [ErrorCode.NodeNotFound]: 404,
  [ErrorCode.InvalidNodeState]: 409,
  [ErrorCode.Internal]: 500,
};

export function httpStatusOf(code: ErrorCode): number {
  return STATUS_BY_CODE[code];
}

/** The code for a status that arrived without one (framework errors such as a body over the limit). */
export function codeOfStatus(status: number): ErrorCode {
  if (status === 404) return ErrorCode.NotFound;
  if (status === 405) return ErrorCode.MethodNotAllowed;
  if (status === 413) return ErrorCode.ValueTooLarge;
  if (status === 431) return ErrorCode.RequestTooLarge;
  if (status === 415) return ErrorCode.UnsupportedMediaType;
  if (status === 412) return ErrorCode.PreconditionFailed;
  if (status >= 400 && status < 500) return ErrorCode.BadRequest;
  if (status === 503) return ErrorCode.StorageUnavailable;
  return ErrorCode.Internal;
}
