import { Module } from '@nestjs/common';
import { APP_CONFIG, createTransportClient, type CommonConfig } from '@geokv/config';
import { AcceptorLease } from './acceptor-lease';
import { MembershipEventsController } from './membership-events.controller';
import { RegionView } from './region-view.service';
import { ReplicaClient } from './replica-client';
import { REGION_TRANSPORT } from './tokens';

/** The node's view of its region, and its messages to the other nodes. */
@Module({
  controllers: [MembershipEventsController],
  providers: [
    {
      provide: REGION_TRANSPORT,
      inject: [APP_CONFIG],
      useFactory: (config: CommonConfig) => createTransportClient(config.REDIS_URL),
    },
    {
      provide: AcceptorLease,
      inject: [APP_CONFIG],
      useFactory: (config: CommonConfig) => new AcceptorLease(config.GEOKV_ACCEPTOR_LEASE_MS),
    },
    RegionView,
    ReplicaClient,
  ],
  exports: [RegionView, ReplicaClient, AcceptorLease],
})
export class RegionModule {}
