import { Catch, HttpException, Inject, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { APP_CONFIG } from '@geokv/config';
import { ErrorCode } from '@geokv/protocol';
import type { GatewayConfig } from '../gateway.config';
import { drainRequestBody } from '../http/drain-request-body';
import { ApiError } from './api-error';
import type { ErrorBody } from './error-body';
import { codeOfStatus, httpStatusOf } from './http-status-of';

/**
 * Every error leaves the gateway here, as `{ error, message, requestId }` with the status of its code.
 * An unexpected error is logged with its stack and answered with a bare 500: internals never reach a client.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(HttpErrorFilter.name);

  constructor(@Inject(APP_CONFIG) private readonly config: GatewayConfig) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    // Fastify refuses a body over its bodyLimit before any route runs, and its error reaches Nest's handler,
    // hence this filter: say what the limit is rather than pass on Fastify's wording.
    const refused =
      !(error instanceof ApiError) && statusOf(error) === 413
        ? new ApiError(ErrorCode.ValueTooLarge, `the value exceeds the limit of ${this.config.GEOKV_MAX_VALUE_BYTES} bytes`)
        : error;
    sendError(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), refused, this.logger);
  }
}

/** How much of a body refused unread is read and discarded before the answer, at most; past either, the connection just closes. */
const DRAIN_MAX_BYTES = 16 * 1_048_576;
const DRAIN_MAX_MS = 10_000;

/** Also answers the errors Fastify raises itself: unsupported methods and malformed requests (see configure-http, framework-errors). */
export function sendError(request: FastifyRequest, reply: FastifyReply, error: unknown, logger: Logger): void {
  const { status, body, headers } = describe(error, request.id);
  if (status >= 500 && body.error === ErrorCode.Internal) {
    logger.error({ err: error, requestId: request.id }, 'unexpected error');
  }
  const send = (): void => void reply.status(status).headers(headers).type('application/json').send(body);
  // A body refused unread (413, by its Content-Length): the answer closes the connection, so let the client
  // finish sending first, or its next write breaks and it never reads the answer.
  if (status === 413 && !request.raw.readableEnded) void drainRequestBody(request.raw, DRAIN_MAX_BYTES, DRAIN_MAX_MS).then(send);
  else send();
}

function describe(error: unknown, requestId: string): { status: number; body: ErrorBody; headers: Record<string, string> } {
  if (error instanceof ApiError) {
    return { status: httpStatusOf(error.code), body: { error: error.code, message: error.message, requestId }, headers: { ...error.headers } };
  }
  const status = statusOf(error);
  if (status !== undefined && status < 500) {
    const message = messageOf(error);
    return { status, body: { error: codeOfStatus(status), message, requestId }, headers: {} };
  }
  return { status: 500, body: { error: ErrorCode.Internal, message: 'internal error', requestId }, headers: {} };
}

function statusOf(error: unknown): number | undefined {
  if (error instanceof HttpException) return error.getStatus();
  const candidate = (error as { statusCode?: unknown } | null)?.statusCode;
  return typeof candidate === 'number' ? candidate : undefined;
}

function messageOf(error: unknown): string {
  if (error instanceof HttpException) {
    const response = error.getResponse();
    if (typeof response === 'string') return response;
    const message = (response as { message?: unknown }).message;
    return Array.isArray(message) ? message.join('; ') : String(message ?? error.message);
  }
  return (error as Error).message;
}
