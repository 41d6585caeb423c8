import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, createTransportClient, type CommonConfig } from '@geokv/config';
import { RpcClient } from './rpc-client';
import { TRANSPORT_CLIENT } from './tokens';

@Global()
@Module({
  providers: [
    {
      provide: TRANSPORT_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: CommonConfig) => createTransportClient(config.REDIS_URL),
    },
    RpcClient,
  ],
  exports: [RpcClient],
})
export class RpcModule {}
