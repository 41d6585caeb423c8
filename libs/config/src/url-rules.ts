import { problemRule } from './problem-rule';

/**
 * Rules for the connection URLs in the config. A pattern on the scheme let through URLs that the apps'
 * parsers then refused once running (`redis://host:99999` crashed the gateway with a bare `Invalid URL`
 * stack trace instead of a message naming REDIS_URL), or read differently from what was meant (a Redis
 * path that is not a database number selected database 0). Each rule parses the value with the same
 * WHATWG URL parser the apps use, so a value that passes here is one they can read.
 */

const REDIS_URL_MESSAGE = 'must be a redis:// or rediss:// URL with a host, a port up to 65535 and at most a database number as its path';

/** Why `url` is not a Redis URL the apps can connect with, or null when it is one. */
export function redisUrlProblem(url: string): string | null {
  const parsed = parseUrl(url);
  const usable =
    parsed !== null &&
    (parsed.protocol === 'redis:' || parsed.protocol === 'rediss:') &&
    parsed.hostname !== '' &&
    /^(\/[0-9]{0,5})?$/.test(parsed.pathname);
  return usable ? null : REDIS_URL_MESSAGE;
}

/** REDIS_URL: a Redis URL redisOptionsFromUrl reads as written. */
export const redisUrlRule = problemRule('isRedisUrl', redisUrlProblem);

const POSTGRES_URL_MESSAGE = 'must be a postgres:// or postgresql:// URL (a port up to 65535)';

/**
 * Why `url` is not a PostgreSQL URL the apps can connect with, or null when it is one. The host may be
 * empty: `pg` then takes it from the query (`?host=/var/run/postgresql` for a Unix socket) or its default.
 */
export function postgresUrlProblem(url: string): string | null {
  const parsed = parseUrl(url);
  return parsed !== null && (parsed.protocol === 'postgres:' || parsed.protocol === 'postgresql:') ? null : POSTGRES_URL_MESSAGE;
}

/** DATABASE_URL: a PostgreSQL URL that parses. */
export const postgresUrlRule = problemRule('isPostgresUrl', postgresUrlProblem);

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/**
 * A value as an error message may show it: everything from a URL's `://` to the value's last `@` (users
 * and passwords, whatever characters a malformed one holds, at the cost of hiding what lies between two
 * URLs that both carry one) and any `password` query parameter (which `pg` reads) replaced by `***`.
 */
export function withoutCredentials(value: string): string {
  return withoutPasswordParameters(value.replace(/([a-z][a-z0-9+.-]*:\/\/).*@/is, '$1***@'));
}

/** A value with any `password` query parameter (which `pg` reads as the password) shown as `***`. */
export function withoutPasswordParameters(value: string): string {
  return value.replace(/([?&][a-z]*password=)[^&\s,]*/gi, '$1***');
}
