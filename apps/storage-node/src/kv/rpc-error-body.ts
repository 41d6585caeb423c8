import type { Logger } from '@nestjs/common';
import { ErrorCode, type RpcErrorBody } from '@geokv/protocol';
import { MalformedContextError } from '@geokv/vector-clock';
import { DATABASE_UNAVAILABLE_MESSAGE, isDatabaseUnavailable } from './database-unavailable';
import { StorageError } from './storage-errors';

/**
 * The one place where a storage node's failures become RPC error bodies: typed errors keep their code, a
 * database that cannot be reached or is out of connections is STORAGE_UNAVAILABLE (a 503 to retry), and
 * anything unexpected becomes INTERNAL with its details in the log, not on the wire.
 */
export function rpcErrorBodyOf(error: unknown, requestId: string | undefined, logger: Logger): RpcErrorBody {
  if (error instanceof StorageError) return { code: error.code, message: error.message };
  if (error instanceof MalformedContextError) return { code: ErrorCode.MalformedContext, message: error.message };
  if (isDatabaseUnavailable(error)) {
    logger.warn({ requestId, reason: (error as Error).message }, "the shard's database is unavailable");
    return { code: ErrorCode.StorageUnavailable, message: DATABASE_UNAVAILABLE_MESSAGE };
  }
  logger.error({ err: error, requestId }, 'unexpected error in a storage request');
  return { code: ErrorCode.Internal, message: 'internal error in the storage node' };
}
