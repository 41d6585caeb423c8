/**
 * SQLSTATEs that mean the server could not take the statement now, not that the statement was wrong:
 * class 08 (connection exception), class 53 (insufficient resources, e.g. 53300 too many connections) and
 * the operator-intervention shutdowns (57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot connect
 * now, during start-up or recovery).
 */
const UNAVAILABLE_SQLSTATE = /^(08|53)[0-9A-Z]{3}$|^57P0[123]$/;
/** Socket errors from the driver when the server is down, restarting or unreachable. */
const UNAVAILABLE_ERRNO = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
/** pg and pg-pool report a dropped connection and a connect timeout by message only. */
const UNAVAILABLE_MESSAGE = /^Connection terminated|^timeout exceeded when trying to connect|^Client has encountered a connection error/;

/** What a client is told; the driver's own message (addresses, ports) goes to the log only. */
export const DATABASE_UNAVAILABLE_MESSAGE = "the shard's database is unavailable; retry later";

/**
 * Whether a database failure is the server's unavailability (PostgreSQL down, restarting, out of
 * connections), which a client should see as a 503 it can retry, rather than a fault in geokv (a 500).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (UNAVAILABLE_SQLSTATE.test(code) || UNAVAILABLE_ERRNO.has(code))) return true;
  return UNAVAILABLE_MESSAGE.test(error.message);
}
