import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { APP_CONFIG } from '@geokv/config';
import { ErrorCode } from '@geokv/protocol';
import { ApiError } from '../errors/api-error';
import type { GatewayConfig } from '../gateway.config';
import { accessNeeded } from './access-needed';
import { ApiKeys, keysOf } from './api-keys';

const CHALLENGE = { 'www-authenticate': 'Bearer realm="geokv"' };

/**
 * Authentication, before any controller runs: with GEOKV_API_KEYS or GEOKV_ADMIN_API_KEYS set, a request
 * to `/v1` needs `Authorization: Bearer <key>` (401 UNAUTHENTICATED without a known one) of a role that
 * may make it (403 FORBIDDEN otherwise). Registered only when there are keys (see GatewayModule).
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  private readonly keys: ApiKeys;

  constructor(@Inject(APP_CONFIG) config: GatewayConfig) {
    this.keys = new ApiKeys(keysOf(config.GEOKV_API_KEYS), keysOf(config.GEOKV_ADMIN_API_KEYS));
  }

  canActivate(context: ExecutionContext): boolean {
    if (context.getType() !== 'http') return true;
    const request = context.switchToHttp().getRequest<FastifyRequest>();
    // The route that matched, not the URL as sent: `/v1/%61dmin/ring` reaches the admin route too.
    const route = request.routeOptions.url;
    const needed = route === undefined ? 'admin' : accessNeeded(request.method, route);
    if (needed === 'none') return true;
    const role = this.keys.roleOf(request.headers.authorization);
    if (role === null) throw new ApiError(ErrorCode.Unauthenticated, 'this API needs an API key: send Authorization: Bearer <key>', CHALLENGE);
    if (needed === 'admin' && role !== 'admin') throw new ApiError(ErrorCode.Forbidden, 'this API key may not use the admin API or define keyspaces');
    return true;
  }
}
