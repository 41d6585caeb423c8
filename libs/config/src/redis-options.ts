export interface RedisConnectionOptions {
  readonly host: string;
  readonly port: number;
  readonly username?: string;
  readonly password?: string;
  readonly db: number;
  readonly tls?: Record<string, never>;
}

/** Splits a redis:// URL into the connection options ioredis and the Nest Redis transport both accept. */
export function redisOptionsFromUrl(url: string): RedisConnectionOptions {
  const parsed = new URL(url);
  const db = parsed.pathname.length > 1 ? Number(parsed.pathname.slice(1)) : 0;
  return {
    // An IPv6 literal keeps its brackets in a URL (`[::1]`), which a socket's host must not have.
    host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'),
    port: parsed.port ? Number(parsed.port) : 6379,
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db: Number.isInteger(db) ? db : 0,
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * Options for the Nest Redis transport (clients and servers). Without `retryAttempts` Nest gives up on the
 * first disconnect; a restarted Redis must never leave an app deaf, so it retries for as long as the
 * process lives, every half second.
 *
 * ioredis auto-pipelining stays off: the gateway already coalesces each node's requests into one message
 * per event-loop turn, and on top of that the pipelining bookkeeping cost more than it saved (hot-key GET
 * 17k req/s with it, 19.5k without). A turn's publishes still leave in one write: the transport corks the
 * connection for the turn instead (turn-corked-writes.ts), which costs no object per flush.
 */
export function transportOptionsFromUrl(url: string) {
  return { ...redisOptionsFromUrl(url), retryAttempts: Number.MAX_SAFE_INTEGER, retryDelay: 500 };
}
