import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runPacedRequests } from './paced-requests';

describe('runPacedRequests', () => {
  let server: Server;
  let url: string;
  const arrivalsMs: number[] = [];
  const bodies: string[] = [];

  beforeAll(async () => {
    server = createServer((request, response) => {
      arrivalsMs.push(performance.now());
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        bodies.push(body);
        // Every fifth request fails; the slow ones prove that the pace does not wait for answers.
        const n = Number(request.url!.slice(1));
        setTimeout(() => response.writeHead(n % 5 === 0 ? 503 : 204).end(), n % 2 === 0 ? 150 : 0);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('sends at an even pace whatever the answers, and counts them', async () => {
    const statuses = new Map<number, number>();
    const sentAtMs: number[] = [];
    const startedMs = performance.now();
    const result = await runPacedRequests({
      url,
      ratePerSecond: 200,
      seconds: 1,
      requestOf: (i) => {
        sentAtMs[i] = performance.now() - startedMs;
        return { method: 'PUT', path: `/${i}`, body: `value-${i}` };
      },
      onResponse: (i, status) => statuses.set(i, status),
    });

    expect(result.ok + result.failed).toBe(200);
    expect(result).toEqual({ ok: 160, failed: 40, notSent: 0 });
    expect(statuses.get(5)).toBe(503);
    expect(statuses.get(6)).toBe(204);
    expect(bodies).toContain('value-7');
    expect(arrivalsMs).toHaveLength(200);
    // Paced, not a burst: the i-th request leaves no sooner than i / rate after the start (a sender that did
    // not pace would send all 200 at once), in order, and all within the second give or take a stall. Only
    // the lower bound is exact: a loaded machine that stalls the timers makes requests late, never early,
    // and then sends the overdue ones together (a bound on how many land in one tenth of a second failed
    // in CI when the test process stalled for most of a second).
    sentAtMs.forEach((sentMs, i) => expect(sentMs).toBeGreaterThanOrEqual(i * 5 - 1));
    sentAtMs.forEach((sentMs, i) => expect(sentMs).toBeGreaterThanOrEqual(sentAtMs[Math.max(0, i - 1)]));
    expect(sentAtMs[199]).toBeLessThan(5_000);
  });
});
