import { Module } from '@nestjs/common';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { APP_CONFIG, transportOptionsFromUrl, type CommonConfig } from '@geokv/config';
import { HeartbeatService } from './heartbeat.service';
import { MEMBERSHIP_CLIENT } from './tokens';

@Module({
  providers: [
    {
      provide: MEMBERSHIP_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: CommonConfig) =>
        ClientProxyFactory.create({ transport: Transport.REDIS as const, options: transportOptionsFromUrl(config.REDIS_URL) }),
    },
    HeartbeatService,
  ],
})
export class MembershipClientModule {}
