import Redis from 'ioredis';

/** Enough sequential PINGs for a stable median, few enough to take about a second at 100 ms each. */
const PINGS = 10;

/**
 * The round-trip time of one directed link of the fault proxy, measured as geokv's traffic sees it: the
 * median of sequential Redis PINGs to the peer region's Redis through the link. With `delayMs` injected
 * per direction it should be about 2 × delayMs; what is left over is the proxy's and Redis's own time.
 */
export async function measureLinkRttMs(port: number): Promise<number> {
  const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false });
  try {
    // Resolves once the connection is ready, so no sample below pays for its setup.
    await redis.connect();
    const samples: number[] = [];
    for (let i = 0; i < PINGS; i++) {
      const started = performance.now();
      await redis.ping();
      samples.push(performance.now() - started);
    }
    samples.sort((a, b) => a - b);
    return samples[Math.floor(samples.length / 2)];
  } finally {
    redis.disconnect();
  }
}
