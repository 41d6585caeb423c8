export * from './postgres.module';
export * from './shard/shard-migrations';
export * from './control-plane/control-plane-migrations';
