/** The app's ioredis client for commands (not the transport's pub/sub connections). */
export const REDIS_CLIENT = Symbol('REDIS_CLIENT');

/** The checks that /health/ready runs; each app provides its own list. */
export const READINESS_CHECKS = Symbol('READINESS_CHECKS');
