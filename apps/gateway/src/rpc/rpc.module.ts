import { Global, Module } from '@nestjs/common';
import { ClientProxyFactory, Transport } from '@nestjs/microservices';
import { APP_CONFIG, transportOptionsFromUrl, type CommonConfig } from '@geokv/config';
import { RpcClient } from './rpc-client';
import { TRANSPORT_CLIENT } from './tokens';

@Global()
@Module({
  providers: [
    {
      provide: TRANSPORT_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: CommonConfig) =>
        ClientProxyFactory.create({ transport: Transport.REDIS as const, options: transportOptionsFromUrl(config.REDIS_URL) }),
    },
    RpcClient,
  ],
  exports: [RpcClient],
})
export class RpcModule {}
