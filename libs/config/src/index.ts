export * from './load-config';
export * from './common-config';
export * from './config.module';
export * from './redis-options';
export * from './persistent-reply-redis.client';
export * from './addressed-redis.server';
export * from './node-request-coalescer';
export * from './peer-regions';
