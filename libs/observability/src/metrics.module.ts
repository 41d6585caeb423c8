import { Module, type DynamicModule, type Provider } from '@nestjs/common';
import { PrometheusModule } from '@willsoto/nestjs-prometheus';

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
          defaultMetrics: { enabled: true },
        }),
      ],
      providers: metrics,
      exports: metrics,
    };
  }
}
