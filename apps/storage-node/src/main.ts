import 'reflect-metadata';
import { bootApp } from '@geokv/bootstrap';
import { AddressedRedisServer, transportOptionsFromUrl } from '@geokv/config';
import { addressTo } from '@geokv/protocol';
import { StorageNodeConfig } from './storage-node.config';
import { StorageNodeModule } from './storage-node.module';

void bootApp({
  name: 'storage-node',
  configClass: StorageNodeConfig,
  rootModule: (config) => StorageNodeModule.forRoot(config),
  microservice: (config) => ({
    strategy: new AddressedRedisServer((pattern) => addressTo(pattern, config.GEOKV_NODE_ID), transportOptionsFromUrl(config.REDIS_URL)),
  }),
});
