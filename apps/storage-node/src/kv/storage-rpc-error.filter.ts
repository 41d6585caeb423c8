import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';
import { ErrorCode, type RpcErrorBody } from '@geokv/protocol';
import { MalformedContextError } from '@geokv/vector-clock';
import { StorageError } from './storage-errors';

/**
 * The one place where a storage node's failures become RPC errors: typed errors keep their code, and
 * anything unexpected becomes INTERNAL with its details in the log, not on the wire.
 */
@Catch()
export class StorageRpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(StorageRpcErrorFilter.name);

  catch(error: unknown, host: ArgumentsHost): Observable<RpcErrorBody> {
    if (error instanceof StorageError) return throwError(() => ({ code: error.code, message: error.message }));
    if (error instanceof MalformedContextError) {
      return throwError(() => ({ code: ErrorCode.MalformedContext, message: error.message }));
    }
    const requestId = (host.switchToRpc().getData() as { requestId?: string } | undefined)?.requestId;
    this.logger.error({ err: error, requestId }, 'unexpected error in a storage request');
    return throwError(() => ({ code: ErrorCode.Internal, message: 'internal error in the storage node' }));
  }
}
