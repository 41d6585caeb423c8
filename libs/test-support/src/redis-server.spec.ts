import Redis from 'ioredis';
import { answersPing, RedisServer } from './redis-server';

describe('RedisServer', () => {
  const started: RedisServer[] = [];

  afterEach(async () => {
    await Promise.all(started.splice(0).map((server) => server.stop()));
  });

  async function start(appendOnly: boolean): Promise<RedisServer> {
    const server = await RedisServer.start({ appendOnly });
    started.push(server);
    return server;
  }

  async function withClient<T>(url: string, work: (client: Redis) => Promise<T>): Promise<T> {
    const client = new Redis(url, { maxRetriesPerRequest: 1, retryStrategy: () => null });
    try {
      return await work(client);
    } finally {
      client.disconnect();
    }
  }

  it('starts a child redis-server that answers PING, and stops it', async () => {
    const server = await start(false);

    expect(server.url).toBe(`redis://127.0.0.1:${server.port}`);
    expect(await withClient(server.url, (client) => client.ping())).toBe('PONG');

    await server.stop();
    expect(server.isRunning).toBe(false);
    expect(await answersPing(server.port)).toBe(false);
  });

  it('keeps port and data across a crash and restart when append-only', async () => {
    const server = await start(true);
    await withClient(server.url, (client) => client.set('survives', 'yes'));
    const firstPid = server.pid;

    server.kill('SIGKILL');
    await server.restart();

    expect(server.pid).not.toBe(firstPid);
    expect(await withClient(server.url, (client) => client.get('survives'))).toBe('yes');
  });
});
