import { Module, type DynamicModule } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfigModule } from '@geokv/config';
import {
  HealthModule,
  LoggingModule,
  MetricsModule,
  RedisClientModule,
  RedisHealthIndicator,
  httpDurationMetric,
  ringEpochMetric,
  ringNodesMetric,
  rpcDurationMetric,
  paxosPhaseDurationMetric,
  paxosRetriesMetric,
  strongOperationsMetric,
  strongBatchSizeMetric,
  strongHeldBallotsMetric,
} from '@geokv/observability';
import { AdminModule } from './admin/admin.module';
import { ApiKeyGuard } from './auth/api-key.guard';
import { ConflictsModule } from './conflicts/conflicts.module';
import { HttpErrorFilter } from './errors/http-error.filter';
import type { GatewayConfig } from './gateway.config';
import { KeyspacesModule } from './keyspaces/keyspaces.module';
import { KvModule } from './kv/kv.module';
import { RingViewService } from './ring/ring-view.service';
import { RingModule } from './ring/ring.module';
import { RpcModule } from './rpc/rpc.module';

/**
 * The gateway. Request pipeline: Fastify (raw body, size limit, request id) → ApiKeyGuard (when API keys
 * are set) → controller → KvService → storage node over Redis → HttpErrorFilter for every failure.
 */
@Module({})
export class GatewayModule {
  static forRoot(config: Readonly<GatewayConfig>): DynamicModule {
    return {
      module: GatewayModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forApp({ app: 'gateway', region: config.GEOKV_REGION, level: config.LOG_LEVEL }),
        MetricsModule.forApp('gateway', config.GEOKV_REGION, [
          httpDurationMetric,
          rpcDurationMetric,
          ringNodesMetric,
          ringEpochMetric,
          paxosPhaseDurationMetric,
          paxosRetriesMetric,
          strongOperationsMetric,
          strongBatchSizeMetric,
          strongHeldBallotsMetric,
        ]),
        RedisClientModule.forUrl(config.REDIS_URL),
        RpcModule,
        RingModule,
        HealthModule.forApp({
          inject: [RedisHealthIndicator, RingViewService, HealthIndicatorService],
          readiness: (redis: RedisHealthIndicator, ring: RingViewService, indicator: HealthIndicatorService) => [
            () => redis.ping(),
            () => {
              const session = indicator.check('ring');
              const view = ring.current;
              return ring.isReady() && view ? session.up({ epoch: view.epoch, nodes: view.nodes.length }) : session.down({ message: 'no ring from membership yet' });
            },
          ],
        }),
        KvModule,
        KeyspacesModule,
        AdminModule,
        ConflictsModule,
      ],
      providers: [
        { provide: APP_FILTER, useClass: HttpErrorFilter },
        // Only with keys: a global guard costs every request Nest's guard machinery, even one that lets all through.
        ...(config.GEOKV_API_KEYS !== '' || config.GEOKV_ADMIN_API_KEYS !== '' ? [{ provide: APP_GUARD, useClass: ApiKeyGuard }] : []),
      ],
    };
  }
}
