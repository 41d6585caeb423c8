import { Logger } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ErrorCode } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import { sendError } from '../errors/http-error.filter';
import type { GatewayConfig } from '../gateway.config';

const HTTP_METHODS = ['GET', 'HEAD', 'PUT', 'POST', 'PATCH', 'DELETE', 'OPTIONS'];

/** The API's resources and the methods each supports; any other method gets 405 with an Allow header. */
const RESOURCES = [
  { url: '/v1/kv/:keyspace/*', allow: ['GET', 'HEAD', 'PUT', 'DELETE'] },
  { url: '/v1/kv/:keyspace', allow: ['GET', 'HEAD'] },
  { url: '/v1/keyspaces/:name', allow: ['GET', 'HEAD', 'PUT', 'DELETE'] },
  { url: '/v1/keyspaces', allow: ['GET', 'HEAD'] },
  { url: '/v1/admin/ring', allow: ['GET', 'HEAD'] },
  { url: '/v1/admin/nodes', allow: ['GET', 'HEAD', 'POST'] },
  { url: '/v1/admin/nodes/:id', allow: ['DELETE'] },
  { url: '/v1/admin/nodes/:id/drain', allow: ['POST'] },
  { url: '/v1/admin/replication', allow: ['GET', 'HEAD'] },
  { url: '/v1/admin/anti-entropy', allow: ['POST'] },
  { url: '/v1/admin/conflicts', allow: ['GET', 'HEAD', 'POST'] },
];

/**
 * Fastify-level behaviour of the API:
 * - every body is kept as raw bytes (a value is stored exactly as sent; JSON endpoints parse their own);
 * - every response carries X-Request-Id and X-Served-By-Region, errors included;
 * - a method a resource does not support gets 405 and `Allow`, not a misleading 404;
 * - errors raised before a route runs get the same JSON error body: a body over the limit reaches Nest's
 *   error handler and so HttpErrorFilter (Nest installs that handler at init, replacing any set here), a
 *   malformed URL the `frameworkErrors` handler (see framework-errors).
 */
export function configureHttp(app: NestFastifyApplication, config: GatewayConfig): void {
  const fastify = app.getHttpAdapter().getInstance();
  const logger = new Logger('Http');

  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: config.GEOKV_MAX_VALUE_BYTES }, (_request, body, done) => {
    done(null, body);
  });

  fastify.addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id).header('x-served-by-region', config.GEOKV_REGION);
    done();
  });

  for (const resource of RESOURCES) {
    const allow = resource.allow.join(', ');
    fastify.route({
      method: HTTP_METHODS.filter((method) => !resource.allow.includes(method)),
      url: resource.url,
      handler: (request, reply) => {
        sendError(request, reply, new ApiError(ErrorCode.MethodNotAllowed, `${request.method} is not supported here; use ${allow}`, { allow }), logger);
      },
    });
  }
}
