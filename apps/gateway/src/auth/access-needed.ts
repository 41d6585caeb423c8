import type { Role } from './api-keys';

/**
 * What a request to `route` (the pattern of the route that matched, e.g. `/v1/admin/ring`) needs when the
 * gateway has API keys: nothing for health, metrics and the API's documentation (probes and scrapers carry
 * no key); the admin role for `/v1/admin/…` and for defining or deleting a keyspace (`PUT` and `DELETE
 * /v1/keyspaces/{name}`); any key for the rest of `/v1`.
 */
export function accessNeeded(method: string, route: string): Role | 'none' {
  if (!route.startsWith('/v1/')) return 'none';
  if (route.startsWith('/v1/admin/')) return 'admin';
  if ((method === 'PUT' || method === 'DELETE') && route.startsWith('/v1/keyspaces/')) return 'admin';
  return 'data';
}
