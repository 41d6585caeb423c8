import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Logger } from '@nestjs/common';
import { throwError } from 'rxjs';
import { RedisServer } from '@geokv/test-support';
import { PersistentReplyRedisClient } from './persistent-reply-redis.client';
import { transportOptionsFromUrl } from './redis-options';
import { ReplySafeRedisServer } from './reply-safe-redis.server';
import { NoReceiverError } from './no-receiver.error';
import { TransportTimeoutError } from './transport-timeout.error';

describe('PersistentReplyRedisClient, over a real Redis', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'geokv-reply-client-'));
  let redis: RedisServer;
  let server: ReplySafeRedisServer | undefined;
  let client: PersistentReplyRedisClient;

  beforeAll(async () => {
    // Nest's client logs every failed reconnect; the outage below is on purpose.
    Logger.overrideLogger(false);
    redis = await RedisServer.start({ logFile: join(logDir, 'redis.log') });
    const echo = new ReplySafeRedisServer(transportOptionsFromUrl(redis.url));
    server = echo;
    echo.addHandler('echo', async (data: unknown) => data, false);
    echo.addHandler('refuse', async () => throwError(() => ({ code: 'BAD_REQUEST', message: 'refused' })), false);
    echo.addHandler('never', () => new Promise(() => undefined), false);
    echo.addHandler('slow', async (data: unknown) => {
      await sleep(200);
      return data;
    }, false);
    await new Promise<void>((resolve, reject) => echo.listen((error?: unknown) => (error === undefined ? resolve() : reject(error as Error))));
    // One reconnection attempt before ioredis gives up on a held command, instead of twenty (ten seconds).
    client = new PersistentReplyRedisClient({ ...transportOptionsFromUrl(redis.url), maxRetriesPerRequest: 1 });
    await client.connect();
  }, 30_000);

  afterAll(async () => {
    // The client closes over a connection; Redis comes back for that, as it would after an outage.
    if (redis !== undefined && !redis.isRunning) {
      await redis.restart();
      for (let waited = 0; waited < 5_000; waited += 100) {
        if (await client.connect().then(() => true, () => false)) break;
        await sleep(100);
      }
    }
    await client?.close();
    await server?.close();
    await redis?.stop();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose']);
    rmSync(logDir, { recursive: true, force: true });
  });

  it('answers a request with the reply, or with the error body the handler failed with', async () => {
    await expect(client.request<string>('echo', 'hello', 5_000)).resolves.toBe('hello');
    await expect(client.request('refuse', {}, 5_000)).rejects.toEqual({ code: 'BAD_REQUEST', message: 'refused' });
  });

  it('fails a request that has no answer by its deadline with a TimeoutError, and forgets it', async () => {
    const startedAt = Date.now();
    const outcome = await client.request('never', {}, 300).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(TransportTimeoutError);
    expect(outcome).toMatchObject({ name: 'TimeoutError', message: 'no answer on never within 300 ms' });
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(290);
    expect(client['routingMap'].size).toBe(0);
  });

  it('never settles a dispatched request that was given up, even when its answer comes', async () => {
    const settled: unknown[] = [];
    const giveUp = client.dispatch('slow', 'late', (error, response) => settled.push(error ?? response));
    await sleep(20);
    giveUp();
    await sleep(400);
    expect(settled).toEqual([]);
    expect(client['routingMap'].size).toBe(0);
    // The client goes on answering what it is asked.
    await expect(client.request<string>('slow', 'next', 5_000)).resolves.toBe('next');
  });

  it('fails at once, with NoReceiverError, a request that no process is subscribed to receive', async () => {
    const startedAt = Date.now();
    const outcome = await client.request('nobody.listens', {}, 5_000).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(NoReceiverError);
    expect(outcome).toMatchObject({ message: 'nothing is subscribed to nobody.listens: the request was not delivered' });
    // Before, it waited out the whole deadline for an answer that could not come.
    expect(Date.now() - startedAt).toBeLessThan(1_000);
    expect(client['routingMap'].size).toBe(0);
    await expect(client.request<string>('echo', 'still answered', 5_000)).resolves.toBe('still answered');
  });

  // Before, ioredis's rejection of those publishes escaped Nest's client unhandled, which ends a Node process,
  // and the requests themselves waited out their deadline.
  it('fails the requests it had published when Redis died, as errors of those requests', async () => {
    await expect(client.request<string>('echo', 'before', 5_000)).resolves.toBe('before');
    await server?.close();
    server = undefined;
    // Frozen, Redis takes the publishes without answering, as a dying one does; then it dies with them.
    redis.kill('SIGSTOP');
    const startedAt = Date.now();
    const outcomes = Promise.allSettled([1, 2, 3].map((i) => client.request<string>('echo', `during ${i}`, 20_000)));
    await new Promise((resolve) => setTimeout(resolve, 100));
    redis.kill('SIGKILL');

    for (const outcome of await outcomes) {
      expect(outcome.status).toBe('rejected');
      expect(String((outcome as PromiseRejectedResult).reason)).toMatch(/max retries per request/i);
    }
    // ioredis gave up on them after one reconnection attempt (half a second), long before their deadline.
    expect(Date.now() - startedAt).toBeLessThan(10_000);
  }, 30_000);
});
