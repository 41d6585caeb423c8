import 'reflect-metadata';
import { bootApp } from '@geokv/bootstrap';
import { transportOptionsFromUrl } from '@geokv/config';
import { StorageNodeConfig } from './storage-node.config';
import { StorageNodeModule } from './storage-node.module';
import { NodeAddressedRedisServer } from './transport/node-addressed-redis.server';

void bootApp({
  name: 'storage-node',
  configClass: StorageNodeConfig,
  rootModule: (config) => StorageNodeModule.forRoot(config),
  microservice: (config) => ({
    strategy: new NodeAddressedRedisServer(config.GEOKV_NODE_ID, transportOptionsFromUrl(config.REDIS_URL)),
  }),
});
