import { Module, type DynamicModule } from '@nestjs/common';
import { AppConfigModule } from '@geokv/config';
import {
  HealthModule,
  LoggingModule,
  MetricsModule,
  RedisClientModule,
  cacheLookupsMetric,
  dbQueryDurationMetric,
  httpDurationMetric,
  lwwConflictsMetric,
  siblingLimitRefusalsMetric,
  absenceGuessesMissedMetric,
  writeBatchSizeMetric,
  hintsPendingMetric,
  hintsReplayedMetric,
  readRepairsMetric,
  handoffKeysMovedMetric,
  handoffBytesMovedMetric,
  acceptorHandoverKeysMetric,
  deletedKeyspaceRowsPurgedMetric,
} from '@geokv/observability';
import { PostgresModule, SHARD_MIGRATIONS } from '@geokv/persistence';
import { AcceptorModule } from './acceptor/acceptor.module';
import { KvModule } from './kv/kv.module';
import { SHARD_SESSION_SETTINGS } from './kv/shard-statements';
import { ReplicationModule } from './replication/replication.module';
import { MembershipClientModule } from './membership/membership-client.module';
import type { StorageNodeConfig } from './storage-node.config';

@Module({})
export class StorageNodeModule {
  static forRoot(config: Readonly<StorageNodeConfig>): DynamicModule {
    return {
      module: StorageNodeModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forApp({ app: 'storage-node', region: config.GEOKV_REGION, level: config.LOG_LEVEL }),
        MetricsModule.forApp('storage-node', config.GEOKV_REGION, [
          httpDurationMetric,
          dbQueryDurationMetric,
          writeBatchSizeMetric,
          cacheLookupsMetric,
          lwwConflictsMetric,
          siblingLimitRefusalsMetric,
          absenceGuessesMissedMetric,
          hintsPendingMetric,
          hintsReplayedMetric,
          readRepairsMetric,
          handoffKeysMovedMetric,
          handoffBytesMovedMetric,
          acceptorHandoverKeysMetric,
          deletedKeyspaceRowsPurgedMetric,
        ]),
        PostgresModule.forRoot({
          url: config.DATABASE_URL,
          migrations: SHARD_MIGRATIONS,
          poolSize: config.GEOKV_PG_POOL_SIZE,
          applicationName: `geokv-${config.GEOKV_REGION}-${config.GEOKV_NODE_ID}`,
          sessionSettings: SHARD_SESSION_SETTINGS,
        }),
        RedisClientModule.forUrl(config.REDIS_URL),
        HealthModule.forDatabaseApp(),
        KvModule,
        AcceptorModule,
        ReplicationModule,
        MembershipClientModule,
      ],
    };
  }
}
