import { Module, type DynamicModule } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { AppConfigModule } from '@geokv/config';
import {
  acceptorCollectionRoundsMetric,
  acceptorRebuiltRecordsMetric,
  acceptorRowsDroppedMetric,
  antiEntropyKeysComparedMetric,
  antiEntropyRunDurationMetric,
  antiEntropyRunsMetric,
  antiEntropyVersionsRepairedMetric,
  HealthModule,
  httpDurationMetric,
  LoggingModule,
  MetricsModule,
  RedisClientModule,
  RedisHealthIndicator,
  replicationAppliedMetric,
  replicationBacklogMetric,
  replicationDelayMetric,
  replicationLagMetric,
  replicationShippedMetric,
} from '@geokv/observability';
import { AcceptorCollector } from './acceptors/acceptor-collector.service';
import { AcceptorRebuild } from './acceptors/acceptor-rebuild.service';
import { AcceptorRelay } from './acceptors/acceptor-relay.service';
import { AntiEntropyService } from './anti-entropy/anti-entropy.service';
import { GarbageCollectionService } from './gc/garbage-collection.service';
import { MajorityReadService } from './majority/majority-read.service';
import { RemoteApplier } from './receiving/remote-applier.service';
import { ShipmentController } from './receiving/shipment.controller';
import { RegionViewService } from './region/region-view.service';
import { RegionModule } from './region/region.module';
import type { ReplicatorConfig } from './replicator.config';
import { KeyspaceShipper } from './shipping/keyspace-shipper.service';
import { OutboxShipper } from './shipping/outbox-shipper.service';
import { PeerLinks } from './shipping/peer-links';

/**
 * The replicator: ships this region's outboxes to every peer and applies what peers ship here. It keeps
 * no state of its own (cursors live beside each outbox, in the shards), so it can be killed at any point.
 */
@Module({})
export class ReplicatorModule {
  static forRoot(config: Readonly<ReplicatorConfig>): DynamicModule {
    return {
      module: ReplicatorModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggingModule.forApp({ app: 'replicator', region: config.GEOKV_REGION, level: config.LOG_LEVEL }),
        MetricsModule.forApp('replicator', config.GEOKV_REGION, [
          httpDurationMetric,
          replicationLagMetric,
          replicationBacklogMetric,
          replicationShippedMetric,
          replicationAppliedMetric,
          replicationDelayMetric,
          antiEntropyKeysComparedMetric,
          antiEntropyVersionsRepairedMetric,
          antiEntropyRunsMetric,
          antiEntropyRunDurationMetric,
          acceptorRebuiltRecordsMetric,
          acceptorCollectionRoundsMetric,
          acceptorRowsDroppedMetric,
        ]),
        RedisClientModule.forUrl(config.REDIS_URL),
        RegionModule,
        HealthModule.forApp({
          inject: [RedisHealthIndicator, RegionViewService, HealthIndicatorService],
          readiness: (redis: RedisHealthIndicator, region: RegionViewService, indicator: HealthIndicatorService) => [
            () => redis.ping(),
            () => {
              const session = indicator.check('ring');
              return region.isReady() ? session.up() : session.down({ message: 'no ring from membership yet' });
            },
          ],
        }),
      ],
      controllers: [ShipmentController],
      providers: [PeerLinks, OutboxShipper, KeyspaceShipper, RemoteApplier, GarbageCollectionService, AntiEntropyService, MajorityReadService, AcceptorRelay, AcceptorRebuild, AcceptorCollector],
    };
  }
}
