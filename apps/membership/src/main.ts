import 'reflect-metadata';
import { ServerRedis } from '@nestjs/microservices';
import { bootApp } from '@geokv/bootstrap';
import { transportOptionsFromUrl } from '@geokv/config';
import { MembershipConfig } from './membership.config';
import { MembershipModule } from './membership.module';

void bootApp({
  name: 'membership',
  configClass: MembershipConfig,
  rootModule: (config) => MembershipModule.forRoot(config),
  microservice: (config) => ({ strategy: new ServerRedis(transportOptionsFromUrl(config.REDIS_URL)) }),
});
