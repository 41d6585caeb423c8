/** The gateway's Redis-transport client, shared by every outgoing request. */
export const TRANSPORT_CLIENT = Symbol('TRANSPORT_CLIENT');
