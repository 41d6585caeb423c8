import 'reflect-metadata';
import { bootApp } from '@geokv/bootstrap';
import { ReplySafeRedisServer, transportOptionsFromUrl } from '@geokv/config';
import { MembershipConfig } from './membership.config';
import { MembershipModule } from './membership.module';

void bootApp({
  name: 'membership',
  configClass: MembershipConfig,
  rootModule: (config) => MembershipModule.forRoot(config),
  microservice: (config) => ({ strategy: new ReplySafeRedisServer(transportOptionsFromUrl(config.REDIS_URL)) }),
});
