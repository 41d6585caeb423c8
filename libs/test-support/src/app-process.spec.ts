import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, AppProcessOptions } from './app-process';
import { freePort } from './free-port';

// A plain Node script stands in for a geokv app: the real apps are tested by the integration suites.
const fakeApp = join(__dirname, 'fixtures', 'fake-app.js');

describe('AppProcess', () => {
  const logDir = mkdtempSync(join(tmpdir(), 'geokv-app-spec-'));
  const started: AppProcess[] = [];

  afterEach(async () => {
    await Promise.all(started.splice(0).map((app) => app.stop()));
  });
  afterAll(() => rmSync(logDir, { recursive: true, force: true }));

  async function start(env: Record<string, string>, name: string): Promise<AppProcess> {
    const options: AppProcessOptions = { name, port: await freePort(), logFile: join(logDir, `${name}.log`), script: fakeApp, env };
    const app = await AppProcess.start(options);
    started.push(app);
    return app;
  }

  it('waits until ready, passes only the env it was given, and restarts on the same port', async () => {
    const saved = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'postgres://leak@127.0.0.1/leak';
    try {
      const app = await start({ READY_AFTER_MS: '300', GEOKV_REGION: 'us-east' }, 'ready');
      await app.waitReady(5_000);

      const env: unknown = await (await fetch(`${app.httpUrl}/env`)).json();
      expect(env).toEqual({ DATABASE_URL: null, GEOKV_REGION: 'us-east' });
      expect(app.peakRssBytes()).toBeGreaterThan(1024 * 1024);

      const firstPid = app.pid;
      await app.restart();
      await app.waitReady(5_000);
      expect(app.pid).not.toBe(firstPid);
      expect((await fetch(`${app.httpUrl}/health/ready`)).status).toBe(200);
    } finally {
      if (saved === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = saved;
    }
  });

  it('fails readiness at once, with exit code and log tail, when the process exits', async () => {
    const app = await start({ EXIT_WITH: '3' }, 'exits');
    const before = Date.now();

    await expect(app.waitReady(20_000)).rejects.toThrow(/exited \(exit code 3\) before it was ready:\n.*refusing to start/);
    expect(Date.now() - before).toBeLessThan(5_000);
    expect(app.exitCode).toBe(3);
  });

  it('reports the last peak RSS after a SIGKILL, and stops a frozen process', async () => {
    const crashed = await start({}, 'crashed');
    await crashed.waitReady(5_000);
    crashed.kill('SIGKILL');
    expect((await crashed.waitExit(5_000)).signal).toBe('SIGKILL');
    expect(crashed.peakRssBytes()).toBeGreaterThan(1024 * 1024);

    const frozen = await start({}, 'frozen');
    await frozen.waitReady(5_000);
    frozen.kill('SIGSTOP');
    expect((await frozen.stop()).code).toBe(0);
  });
});
