import 'reflect-metadata';
import { bootApp } from '@geokv/bootstrap';
import { AddressedRedisServer, transportOptionsFromUrl } from '@geokv/config';
import { regionAddressed } from '@geokv/protocol';
import { ReplicatorConfig } from './replicator.config';
import { ReplicatorModule } from './replicator.module';

void bootApp({
  name: 'replicator',
  configClass: ReplicatorConfig,
  rootModule: (config) => ReplicatorModule.forRoot(config),
  // Shipments from peers arrive on this region's Redis, addressed to this region.
  microservice: (config) => ({
    strategy: new AddressedRedisServer((pattern) => regionAddressed(pattern, config.GEOKV_REGION), transportOptionsFromUrl(config.REDIS_URL)),
  }),
});
