export * from './boot-app';
export * from './periodic-task';
