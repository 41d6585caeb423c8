import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, createTransportClient, type CommonConfig } from '@geokv/config';
import { EVENTS_CLIENT } from './tokens';

@Global()
@Module({
  providers: [
    {
      provide: EVENTS_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: CommonConfig) => createTransportClient(config.REDIS_URL),
    },
  ],
  exports: [EVENTS_CLIENT],
})
export class EventsClientModule {}
