/** The Redis-transport client the node uses to talk to the other nodes of its region and to membership. */
export const REGION_TRANSPORT = Symbol('REGION_TRANSPORT');
