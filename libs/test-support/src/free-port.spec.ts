import { createServer, Server } from 'node:net';
import { assertPortFree, freePort, isPortFree } from './free-port';

describe('free-port', () => {
  let server: Server | undefined;

  afterEach(async () => {
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    server = undefined;
  });

  it('hands out a port that can be bound, and reports it taken while something listens', async () => {
    const port = await freePort();
    expect(await isPortFree(port)).toBe(true);

    server = createServer();
    await new Promise<void>((resolve) => server?.listen(port, '127.0.0.1', resolve));

    expect(await isPortFree(port)).toBe(false);
    await expect(assertPortFree(port, 'the gateway')).rejects.toThrow(`port 127.0.0.1:${port} (the gateway) is already in use`);
  });

  it('stays below the ephemeral range that outgoing connections take their ports from, and never repeats a port', async () => {
    const ports = await Promise.all(Array.from({ length: 50 }, () => freePort()));
    expect(new Set(ports).size).toBe(ports.length);
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(32_768);
    }
  });
});
