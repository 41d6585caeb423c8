import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';

/**
 * How often the event-loop lag is sampled. prom-client's default (10 ms) wakes every process 100 times a
 * second even when idle: 0.5% of a core per process here, and a region runs six processes or more on the
 * same machine. Ten samples a second still give the lag histogram 150 per 15 s scrape.
 */
const EVENT_LOOP_SAMPLE_MS = 100;

/**
 * Prometheus at GET /metrics, with the process's default metrics and the `app` and `region` labels on
 * every series. Each app passes the geokv metric providers it records.
 */
@Module({})
export class MetricsModule {
  static forApp(app: string, region: string, metrics: Provider[]): DynamicModule {
    return {
      module: MetricsModule,
      global: true,
      imports: [
        PrometheusModule.register({
          path: '/metrics',
          defaultLabels: { app, region },
          defaultMetrics: { enabled: true, config: { eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS } },
        }),
      ],
      providers: metrics,
      exports: metrics,
    };
  }
}
