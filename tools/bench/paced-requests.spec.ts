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
    const result = await runPacedRequests({
      url,
      ratePerSecond: 200,
      seconds: 1,
      requestOf: (i) => ({ method: 'PUT', path: `/${i}`, body: `value-${i}` }),
      onResponse: (i, status) => statuses.set(i, status),
    });

    expect(result.ok + result.failed).toBe(200);
    expect(result).toEqual({ ok: 160, failed: 40, notSent: 0 });
    expect(statuses.get(5)).toBe(503);
    expect(statuses.get(6)).toBe(204);
    expect(bodies).toContain('value-7');
    // Even, not a burst: no tenth of the second carries more than twice its 20 (a sender that did not pace
    // would put all 200 in the first; a loaded machine that stalls the timers for 100 ms adds one tenth's worth).
    const startMs = arrivalsMs[0];
    const perTenth = new Array(10).fill(0);
    for (const at of arrivalsMs) perTenth[Math.min(9, Math.floor((at - startMs) / 100))]++;
    expect(Math.max(...perTenth)).toBeLessThanOrEqual(40);
  });
});
