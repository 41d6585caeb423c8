import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const REQUEST_ID_HEADER = 'x-request-id';

// A caller-supplied id is kept only when it is short and harmless in a log line or a header.
const ACCEPTABLE_REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;
const assigned = new WeakMap<IncomingMessage, string>();

/**
 * The request id of an incoming HTTP request: the caller's `X-Request-Id` when acceptable, otherwise a new
 * UUID. Fastify and pino-http both ask for it; the WeakMap makes them agree on one id per request.
 */
export function requestIdOf(req: IncomingMessage): string {
  const known = assigned.get(req);
  if (known) return known;
  const header = req.headers[REQUEST_ID_HEADER];
  const id = typeof header === 'string' && ACCEPTABLE_REQUEST_ID.test(header) ? header : randomUUID();
  assigned.set(req, id);
  return id;
}
