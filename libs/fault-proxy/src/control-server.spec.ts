import { once } from 'node:events';
import { createServer, type Server } from 'node:net';
import type { Server as HttpServer } from 'node:http';
import { startControlServer } from './control-server';
import { FaultProxy } from './fault-proxy';

describe('fault proxy control API (real HTTP)', () => {
  let target: Server;
  let proxy: FaultProxy;
  let control: HttpServer;
  let base: string;

  beforeAll(async () => {
    target = createServer((socket) => socket.destroy());
    target.listen(0, '127.0.0.1');
    await once(target, 'listening');
    proxy = new FaultProxy();
    await proxy.addLink('us-east', 'eu-west', { host: '127.0.0.1', port: (target.address() as { port: number }).port });
    control = await startControlServer(proxy, 0);
    base = `http://127.0.0.1:${(control.address() as { port: number }).port}`;
  });

  afterAll(async () => {
    control.close();
    await proxy.close();
    target.close();
  });

  const call = async (method: string, path: string, body?: string): Promise<{ status: number; json: Record<string, unknown> }> => {
    const response = await fetch(`${base}${path}`, { method, body, signal: AbortSignal.timeout(5_000) });
    expect(response.headers.get('content-type')).toBe('application/json');
    return { status: response.status, json: (await response.json()) as Record<string, unknown> };
  };

  it('lists links, changes one, resets it and heals everything', async () => {
    const listed = await call('GET', '/links');
    expect(listed.status).toBe(200);
    expect(listed.json.links).toEqual([expect.objectContaining({ from: 'us-east', to: 'eu-west', faults: { delayMs: 0, blackhole: false } })]);

    const changed = await call('PUT', '/links/us-east/eu-west', '{"delayMs": 50}');
    expect(changed).toMatchObject({ status: 200, json: { faults: { delayMs: 50, blackhole: false } } });
    expect(proxy.link('us-east', 'eu-west').currentFaults()).toEqual({ delayMs: 50, blackhole: false });
    expect((await call('PUT', '/links/us-east/eu-west', '{"blackhole": true}')).json.faults).toEqual({ delayMs: 50, blackhole: true });

    expect((await call('POST', '/links/us-east/eu-west/reset')).status).toBe(200);
    expect((await call('POST', '/heal')).status).toBe(200);
    expect(proxy.link('us-east', 'eu-west').currentFaults()).toEqual({ delayMs: 0, blackhole: false });
  });

  it.each([
    ['PUT', '/links/us-east/eu-west', '{not json', 400, 'INVALID_BODY'],
    ['PUT', '/links/us-east/eu-west', '{"delayMs": -5}', 400, 'INVALID_FAULTS'],
    ['PUT', '/links/us-east/eu-west', '{"colour": "red"}', 400, 'INVALID_FAULTS'],
    ['PUT', '/links/us-east/ap-south', '{"delayMs": 5}', 404, 'UNKNOWN_LINK'],
    ['GET', '/nowhere', undefined, 404, 'NOT_FOUND'],
    ['DELETE', '/links', undefined, 405, 'METHOD_NOT_ALLOWED'],
    ['GET', '/links/us-east/eu-west/reset', undefined, 405, 'METHOD_NOT_ALLOWED'],
  ])('%s %s %s answers %i %s and changes nothing', async (method, path, body, status, error) => {
    const before = proxy.status();
    const response = await call(method, path, body);
    expect(response.status).toBe(status);
    expect(response.json.error).toBe(error);
    expect(proxy.status().map((link) => link.faults)).toEqual(before.map((link) => link.faults));
  });
});
