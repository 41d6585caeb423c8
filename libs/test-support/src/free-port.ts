import { randomInt } from 'node:crypto';
import { createServer } from 'node:net';

/**
 * Ports handed out come from below Linux's ephemeral range (32768–60999 by default), where the OS picks
 * the local port of every outgoing connection: a port picked by `listen(0)` lies inside it, and under load
 * (a bench's thousands of client connections) an outgoing connection took such a port between the pick and
 * the app's bind (EADDRINUSE at start-up). Below that range only another listener can take it.
 */
const FIRST_PORT = 20_000;
const LAST_PORT = 32_000;
const ATTEMPTS = 200;
/** Ports this process has handed out already: each goes to one caller, even before that caller binds it. */
const handedOut = new Set<number>();

/**
 * A TCP port that was free a moment ago, outside the ephemeral range, never the same twice in a process.
 * Another process can still take it before the caller binds it; callers that spawn a server on it
 * should fail loudly (or retry) when the bind fails.
 */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const port = randomInt(FIRST_PORT, LAST_PORT + 1);
    if (handedOut.has(port) || !(await isPortFree(port, host))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port found in ${FIRST_PORT}–${LAST_PORT} after ${ATTEMPTS} tries`);
}

/** Whether `port` can be bound on `host` now. Only EADDRINUSE means "taken"; any other error is thrown. */
export function isPortFree(port: number, host = '127.0.0.1'): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') resolve(false);
      else reject(error);
    });
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** Throws a message naming the port and its intended user when the port is taken. */
export async function assertPortFree(port: number, purpose: string, host = '127.0.0.1'): Promise<void> {
  if (!(await isPortFree(port, host))) {
    throw new Error(`port ${host}:${port} (${purpose}) is already in use: stop whatever listens there and retry`);
  }
}
