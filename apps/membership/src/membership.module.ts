import { Module, type DynamicModule } from '@nestjs/common';
import { AppConfigModule } from '@geokv/config';
import {
  HealthModule,
  LoggingModule,
  MetricsModule,
  RedisClientModule,
  httpDurationMetric,
  ringEpochMetric,
  ringNodesMetric,
  rebalancePartitionsPendingMetric,
} from '@geokv/observability';
import { CONTROL_PLANE_MIGRATIONS, PostgresModule } from '@geokv/persistence';
import { CatalogModule } from './catalog/catalog.module';
import { EventsClientModule } from './events/events-client.module';
import type { MembershipConfig } from './membership.config';
import { RegistryModule } from './registry/registry.module';

@Module({})
export class MembershipModule {
  static forRoot(config: Readonly<MembershipConfig>): DynamicModule {
    return {
      module: MembershipModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forApp({ app: 'membership', region: config.GEOKV_REGION, level: config.LOG_LEVEL }),
        MetricsModule.forApp('membership', config.GEOKV_REGION, [httpDurationMetric, ringNodesMetric, ringEpochMetric, rebalancePartitionsPendingMetric]),
        PostgresModule.forRoot({
          url: config.DATABASE_URL,
          migrations: CONTROL_PLANE_MIGRATIONS,
          poolSize: 4,
          applicationName: `geokv-${config.GEOKV_REGION}-membership`,
        }),
        RedisClientModule.forUrl(config.REDIS_URL),
        HealthModule.forDatabaseApp(),
        EventsClientModule,
        RegistryModule,
        CatalogModule,
      ],
    };
  }
}
