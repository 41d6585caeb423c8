import { PassThrough, Readable } from 'node:stream';
import { drainRequestBody } from './drain-request-body';

describe('drainRequestBody', () => {
  it('reads a body to its end and says it is complete', async () => {
    const body = Readable.from([Buffer.alloc(1_000), Buffer.alloc(2_000)]);
    await expect(drainRequestBody(body, 10_000, 1_000)).resolves.toBe(true);
    expect(body.readableEnded).toBe(true);
  });

  it('stops at the byte limit without waiting for the end', async () => {
    const body = new PassThrough();
    const draining = drainRequestBody(body, 1_500, 5_000);
    body.write(Buffer.alloc(1_000));
    body.write(Buffer.alloc(1_000));
    await expect(draining).resolves.toBe(false);
  });

  it('stops at the time limit when the client stops sending', async () => {
    const body = new PassThrough();
    body.write(Buffer.alloc(10));
    await expect(drainRequestBody(body, 1_000, 50)).resolves.toBe(false);
  });

  it('gives up when the connection goes', async () => {
    const body = new PassThrough();
    const draining = drainRequestBody(body, 1_000, 5_000);
    body.destroy();
    await expect(draining).resolves.toBe(false);
  });

  it('answers at once for a body already read', async () => {
    const body = Readable.from([Buffer.alloc(10)]);
    body.resume();
    await new Promise((resolve) => body.once('end', resolve));
    await expect(drainRequestBody(body, 1, 1)).resolves.toBe(true);
  });
});
