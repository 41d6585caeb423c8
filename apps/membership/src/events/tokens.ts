/** The Redis-transport client membership publishes its events with. */
export const EVENTS_CLIENT = Symbol('EVENTS_CLIENT');
