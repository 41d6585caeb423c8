export * from './boot-app';
export * from './periodic-service';
export * from './periodic-task';
export * from './lean-async-resource-bind';
