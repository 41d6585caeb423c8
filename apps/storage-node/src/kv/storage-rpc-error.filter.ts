import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';
import type { RpcErrorBody } from '@geokv/protocol';
import { rpcErrorBodyOf } from './rpc-error-body';

/** Turns a failed storage request into its RPC error body. */
@Catch()
export class StorageRpcErrorFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger(StorageRpcErrorFilter.name);

  catch(error: unknown, host: ArgumentsHost): Observable<RpcErrorBody> {
    const requestId = (host.switchToRpc().getData() as { requestId?: string } | undefined)?.requestId;
    return throwError(() => rpcErrorBodyOf(error, requestId, this.logger));
  }
}
