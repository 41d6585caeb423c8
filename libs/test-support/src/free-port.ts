import { createServer } from 'node:net';

/**
 * A TCP port that was free a moment ago, chosen by the OS (listen on 0).
 * Another process can still take it before the caller binds it; callers that spawn a server on it
 * should fail loudly (or retry) when the bind fails.
 */
export function freePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('the OS did not report the port it picked'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
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
