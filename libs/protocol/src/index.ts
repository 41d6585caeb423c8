export * from './patterns';
export * from './error-codes';
export * from './keyspace-policy';
export * from './storage-messages';
export * from './membership-messages';
export * from './placement';
export * from './batch-messages';
export * from './replication-messages';
