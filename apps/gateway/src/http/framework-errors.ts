import { Logger } from '@nestjs/common';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { randomUUID } from 'node:crypto';
import type { Socket } from 'node:net';
import { ErrorCode } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import { sendError } from '../errors/http-error.filter';
import { httpStatusOf } from '../errors/http-status-of';

const logger = new Logger('Http');

/**
 * Errors Fastify raises before routing, e.g. a URL that is not valid percent-encoded UTF-8: answered like
 * every other error, with our JSON body and headers (the onRequest hook that sets them has not run).
 */
export function frameworkErrorHandler(region: string) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): void => {
    void reply.header('x-request-id', request.id).header('x-served-by-region', region);
    sendError(request, reply, new ApiError(ErrorCode.BadRequest, `the request is malformed: ${error.message}`), logger);
  };
}

/**
 * Requests Node's HTTP parser rejects before Fastify sees them (a request line or headers over 16 KiB, a
 * broken request): a raw response with the same JSON error shape, then the connection is closed.
 */
export function clientErrorHandler(region: string) {
  return (error: NodeJS.ErrnoException, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const tooLarge = error.code === 'HPE_HEADER_OVERFLOW';
    const code = tooLarge ? ErrorCode.RequestTooLarge : ErrorCode.BadRequest;
    const requestId = randomUUID();
    const message = tooLarge
      ? 'the request line and headers exceed 16 KiB (a key is at most 1024 bytes)'
      : 'the request is not valid HTTP';
    const body = JSON.stringify({ error: code, message, requestId });
    const status = httpStatusOf(code);
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\n` +
        'Content-Type: application/json; charset=utf-8\r\n' +
        `Content-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nX-Served-By-Region: ${region}\r\nConnection: close\r\n\r\n${body}`,
    );
  };
}
