import { BinaryWireRedisServer } from './binary-wire-redis.server';

/** What a JSON text can start with (after optional whitespace): an object, array, string, number or literal. */
const MAY_BE_JSON = /^[\s{["\-0-9tfn]/;

/**
 * Nest's Redis transport server, except that it routes a plain string pattern without trying it as JSON
 * first. Nest runs `JSON.parse` on the channel of every incoming message, in case the pattern is an
 * object; geokv's patterns are dotted names (`storage.n1.readBatch`), so every message threw and caught a
 * SyntaxError, about a tenth of a storage node's CPU while it served reads. A channel that could be JSON
 * still goes through Nest's own routing, so the routes are the same.
 */
export class PlainPatternRedisServer extends BinaryWireRedisServer {
  protected override getRouteFromPattern(pattern: string): string {
    return MAY_BE_JSON.test(pattern) ? super.getRouteFromPattern(pattern) : this.normalizePattern(pattern);
  }
}
