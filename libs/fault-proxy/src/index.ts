export * from './control-server';
export * from './fault-proxy';
export * from './faulty-link';
export * from './link-faults';
