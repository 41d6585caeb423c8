/** The Redis-transport client on this region's own Redis (storage nodes and membership). */
export const LOCAL_TRANSPORT = Symbol('LOCAL_TRANSPORT');
