import { Module } from '@nestjs/common';
import { APP_CONFIG, createTransportClient, type CommonConfig } from '@geokv/config';
import { HandoffModule } from '../handoff/handoff.module';
import { KvModule } from '../kv/kv.module';
import { HeartbeatService } from './heartbeat.service';
import { MEMBERSHIP_CLIENT } from './tokens';

@Module({
  imports: [HandoffModule, KvModule],
  providers: [
    {
      provide: MEMBERSHIP_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: CommonConfig) => createTransportClient(config.REDIS_URL),
    },
    HeartbeatService,
  ],
})
export class MembershipClientModule {}
