import type { Readable } from 'node:stream';

/**
 * Reads and discards the rest of a request body, up to `maxBytes` and `maxMs`; resolves true once the
 * client has sent all of it. A request refused before its body was read (413) is answered on a connection
 * that then closes: closing it while the client is still sending makes the client's next write fail
 * (EPIPE or a reset), and many clients then report that instead of the answer. Bounded, so that a client
 * sending without end cannot hold the connection.
 */
export function drainRequestBody(body: Readable, maxBytes: number, maxMs: number): Promise<boolean> {
  if (body.readableEnded) return Promise.resolve(true);
  if (body.destroyed) return Promise.resolve(false);
  return new Promise<boolean>((resolve) => {
    let discarded = 0;
    const finish = (complete: boolean): void => {
      clearTimeout(timer);
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onFailure);
      body.off('close', onFailure);
      resolve(complete);
    };
    const onData = (chunk: Buffer | string): void => {
      discarded += chunk.length;
      if (discarded > maxBytes) finish(false);
    };
    const onEnd = (): void => finish(true);
    const onFailure = (): void => finish(body.readableEnded);
    const timer = setTimeout(() => finish(false), maxMs);
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onFailure);
    body.once('close', onFailure);
    body.resume();
  });
}
