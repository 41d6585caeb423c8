import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { getToken } from '@willsoto/nestjs-prometheus';
import type { Histogram } from 'prom-client';
import { Metric } from './metric-names';

/**
 * Records every HTTP response in the duration histogram, labelled by route template (never the raw URL,
 * which would make one series per key).
 */
export function instrumentHttp(app: NestFastifyApplication): void {
  const histogram = app.get<Histogram<string>>(getToken(Metric.httpDuration));
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onResponse', (request, reply, done) => {
      histogram.observe(
        { method: request.method, route: request.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) },
        reply.elapsedTime / 1000,
      );
      done();
    });
}
