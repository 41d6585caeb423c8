import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getToken } from '@willsoto/nestjs-prometheus';
import { PinoLogger } from 'nestjs-pino';
import type { Histogram } from 'prom-client';
import { Metric } from './metric-names';

const PROBE_ROUTES = /^\/(health\/|metrics)/;

/**
 * Records every HTTP response in the duration histogram, labelled by route template (never the raw URL,
 * which would make one series per key), and, when `logRequests` is on, logs one line per request with
 * its request id (probes and scrapes excepted). No header or body is logged.
 */
export function instrumentHttp(app: NestFastifyApplication, logRequests: boolean): void {
  const histogram = app.get<Histogram<string>>(getToken(Metric.httpDuration));
  // One labelled child per method, route and status, found by a string key: prom-client would hash the
  // label object on every response.
  const children = new Map<string, Histogram.Internal<string>>();
  const childFor = (method: string, route: string, status: number): Histogram.Internal<string> => {
    const key = `${method} ${status} ${route}`;
    let child = children.get(key);
    if (child === undefined) children.set(key, (child = histogram.labels({ method, route, status: String(status) })));
    return child;
  };
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      const route = request.routeOptions.url ?? 'unmatched';
      const seconds = reply.elapsedTime / 1000;
      childFor(request.method, route, reply.statusCode).observe(seconds);
      // Read per request: nestjs-pino sets its root logger only when the app initialises, after this runs.
      const logger = PinoLogger.root;
      if (logRequests && logger.isLevelEnabled('info') && !PROBE_ROUTES.test(route)) {
        logger.info(
          { requestId: request.id, method: request.method, route, status: reply.statusCode, ms: reply.elapsedTime },
          'request completed',
        );
      }
      done();
    });
}
