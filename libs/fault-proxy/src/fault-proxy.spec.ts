import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { FaultProxy } from './fault-proxy';
import { HEALTHY } from './link-faults';

/** A TCP echo server on loopback: what comes in goes straight back. */
async function startEcho(): Promise<{ server: Server; port: number }> {
  const server = createServer((socket) => {
    socket.on('error', () => undefined);
    socket.pipe(socket);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, port: (server.address() as { port: number }).port };
}

/** A connected client that collects everything it receives. */
async function client(port: number): Promise<{ socket: Socket; received: () => Buffer; closed: Promise<string> }> {
  const socket = connect({ host: '127.0.0.1', port });
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const closed = new Promise<string>((resolve) => {
    socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    socket.on('close', () => resolve('closed'));
  });
  await once(socket, 'connect');
  return { socket, received: () => Buffer.concat(chunks), closed };
}

async function waitFor(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(5);
  }
}

describe('FaultProxy (real loopback TCP)', () => {
  let echo: { server: Server; port: number };
  let proxy: FaultProxy;
  let clients: Socket[];

  beforeEach(async () => {
    echo = await startEcho();
    proxy = new FaultProxy();
    clients = [];
    await proxy.addLink('us-east', 'eu-west', { host: '127.0.0.1', port: echo.port });
    await proxy.addLink('eu-west', 'us-east', { host: '127.0.0.1', port: echo.port });
  });

  afterEach(async () => {
    for (const socket of clients) socket.destroy();
    await proxy.close();
    echo.server.close();
  });

  async function through(from: string, to: string): Promise<Awaited<ReturnType<typeof client>>> {
    const connection = await client(proxy.link(from, to).listen.port);
    clients.push(connection.socket);
    return connection;
  }

  it('relays bytes intact and in order when healthy', async () => {
    const { socket, received } = await through('us-east', 'eu-west');
    const payload = randomBytes(2 * 1_048_576);
    socket.write(payload);
    await waitFor(() => received().length === payload.length);
    expect(received().equals(payload)).toBe(true);
    expect(proxy.link('us-east', 'eu-west').status()).toMatchObject({ openConnections: 1, bytesForwarded: 2 * payload.length, bytesHeld: 0 });
  });

  it('delays each direction by delayMs and keeps order', async () => {
    proxy.setFaults('us-east', 'eu-west', { delayMs: 100, blackhole: false });
    const { socket, received } = await through('us-east', 'eu-west');
    const started = performance.now();
    for (let i = 0; i < 10; i++) socket.write(`${i},`);
    await waitFor(() => received().toString() === '0,1,2,3,4,5,6,7,8,9,');
    // Out through the link and back through it: two delays.
    expect(performance.now() - started).toBeGreaterThanOrEqual(195);
  });

  it('faults one direction only: the opposite link stays healthy', async () => {
    proxy.setFaults('us-east', 'eu-west', { delayMs: 0, blackhole: true });
    const cut = await through('us-east', 'eu-west');
    const healthy = await through('eu-west', 'us-east');
    cut.socket.write('lost');
    healthy.socket.write('kept');
    await waitFor(() => healthy.received().toString() === 'kept');
    await sleep(100);
    expect(cut.received().length).toBe(0);
    expect(proxy.link('us-east', 'eu-west').status().bytesHeld).toBe(4);
  });

  it('stalls a connection during a blackhole without closing it, and delivers its bytes intact after the heal', async () => {
    const { socket, received, closed } = await through('us-east', 'eu-west');
    proxy.isolate('eu-west');
    socket.write('during,');
    const large = randomBytes(1_048_576);
    socket.write(large);
    await sleep(150);
    expect(received().length).toBe(0);
    expect(await Promise.race([closed, sleep(50).then(() => 'open')])).toBe('open');
    proxy.healAll();
    socket.write(',after');
    const expected = Buffer.concat([Buffer.from('during,'), large, Buffer.from(',after')]);
    await waitFor(() => received().length === expected.length);
    expect(received().equals(expected)).toBe(true);
  });

  it('holds bytes that were delayed in flight when a blackhole starts, until the heal', async () => {
    proxy.setFaults('us-east', 'eu-west', { delayMs: 200, blackhole: false });
    const { socket, received } = await through('us-east', 'eu-west');
    socket.write('in flight');
    await sleep(50);
    proxy.setFaults('us-east', 'eu-west', { delayMs: 200, blackhole: true });
    await sleep(400);
    expect(received().length).toBe(0);
    proxy.setFaults('us-east', 'eu-west', { delayMs: 0, blackhole: false });
    await waitFor(() => received().toString() === 'in flight');
  });

  it('resets open connections on demand; new connections work afterwards', async () => {
    const first = await through('us-east', 'eu-west');
    proxy.link('us-east', 'eu-west').reset();
    expect(await first.closed).toBe('ECONNRESET');
    expect(proxy.link('us-east', 'eu-west').status()).toMatchObject({ openConnections: 0, resets: 1 });

    const second = await through('us-east', 'eu-west');
    second.socket.write('again');
    await waitFor(() => second.received().toString() === 'again');
  });

  it('closes the client when the target is down', async () => {
    echo.server.close();
    for (const socket of clients) socket.destroy();
    await proxy.addLink('us-east', 'ap-south', { host: '127.0.0.1', port: 1 });
    const { closed } = await through('us-east', 'ap-south');
    expect(['closed', 'ECONNRESET']).toContain(await closed);
  });

  it('rejects a second link for the same pair and reports unknown links', async () => {
    await expect(proxy.addLink('us-east', 'eu-west', { host: '127.0.0.1', port: echo.port })).rejects.toThrow(/already exists/);
    expect(() => proxy.link('eu-west', 'ap-south')).toThrow('no link from eu-west to ap-south');
    proxy.setAll({ delayMs: 5, blackhole: false });
    proxy.healAll();
    expect(proxy.status().map((link) => link.faults)).toEqual([HEALTHY, HEALTHY]);
  });
});
