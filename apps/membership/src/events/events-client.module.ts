import { Global, Module } from '@nestjs/common';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { APP_CONFIG, transportOptionsFromUrl, type CommonConfig } from '@geokv/config';
import { EVENTS_CLIENT } from './tokens';

@Global()
@Module({
  providers: [
    {
      provide: EVENTS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: CommonConfig) =>
        ClientProxyFactory.create({ transport: Transport.REDIS as const, options: transportOptionsFromUrl(config.REDIS_URL) }),
    },
  ],
  exports: [EVENTS_CLIENT],
})
export class EventsClientModule {}
