/** The Redis-transport client this app uses to talk to membership. */
export const MEMBERSHIP_CLIENT = Symbol('MEMBERSHIP_CLIENT');
