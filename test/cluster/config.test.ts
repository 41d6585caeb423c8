import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppProcess, freePort, repoRoot, type AppName } from '@geokv/test-support';

interface Exit {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly output: string;
}

/** A bad config must stop an app at boot, before it connects to anything; this bounds how long that may take. */
const EXIT_DEADLINE_MS = 20_000;

/**
 * Runs a built app with exactly `env` (plus PATH and HOME) and waits for it to exit, with stdout and
 * stderr captured. A process still running at the deadline is SIGKILLed (by its pid) and the test fails.
 */
function runApp(app: AppName, env: Record<string, string>): Promise<Exit> {
  const script = join(repoRoot(), 'dist', 'apps', app, 'src', 'main.js');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { cwd: repoRoot(), env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${app} was still running ${EXIT_DEADLINE_MS} ms after start with a bad config:\n${output.slice(-3_000)}`));
    }, EXIT_DEADLINE_MS);
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, output });
    });
  });
}

/** Asserts the app refused to start (exit 1, no signal) and named every variable in `names`. */
function expectRefused(exit: Exit, app: AppName, names: readonly string[]): void {
  const described = `exit ${String(exit.code)} / ${String(exit.signal)}:\n${exit.output}`;
  expect({ code: exit.code, signal: exit.signal, described }).toEqual({ code: 1, signal: null, described: expect.any(String) });
  expect(exit.output).toContain(`${app}: Invalid configuration`);
  for (const name of names) expect(exit.output).toMatch(new RegExp(`^\\s*- ${name}: `, 'm'));
}

/**
 * Starts the app as `npm start`, the tests and the bench do (AppProcess, with their V8 flags), expects it to
 * exit 1 before it is ready, and returns the end of its log.
 */
async function refusedThroughHarness(app: AppName, env: Record<string, string>): Promise<string> {
  const logDir = mkdtempSync(join(tmpdir(), 'geokv-config-'));
  try {
    const started = await AppProcess.start({ app, port: await freePort(), logFile: join(logDir, `${app}.log`), env });
    await expect(started.waitReady(EXIT_DEADLINE_MS)).rejects.toThrow(/exited \(exit code 1\) before it was ready/);
    expect(started.exitCode).toBe(1);
    return started.logTail();
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
}

// Valid values for everything an app requires, so that each case breaks exactly what it names. Nothing
// listens at these addresses; a bad config must stop the app before it tries them.
const REDIS_URL = 'redis://127.0.0.1:1';
const DATABASE_URL = 'postgres://postgres@127.0.0.1:1/none';

describe('configuration is validated at boot', () => {
  it('gateway: PORT=abc exits 1 and names PORT with the bad value', async () => {
    const exit = await runApp('gateway', { PORT: 'abc', REDIS_URL });
    expectRefused(exit, 'gateway', ['PORT']);
    expect(exit.output).toContain('got "abc"');
  }, 30_000);

  it('storage-node: a missing GEOKV_NODE_ID exits 1 and says it is not set', async () => {
    const exit = await runApp('storage-node', { PORT: String(await freePort()), REDIS_URL, DATABASE_URL });
    expectRefused(exit, 'storage-node', ['GEOKV_NODE_ID']);
    expect(exit.output).toMatch(/GEOKV_NODE_ID: .*it is not set/);
  }, 30_000);

  it('membership: a DATABASE_URL that is not a postgres:// URL exits 1 and names it', async () => {
    const exit = await runApp('membership', { PORT: String(await freePort()), REDIS_URL, DATABASE_URL: 'mysql://root@localhost/db' });
    expectRefused(exit, 'membership', ['DATABASE_URL']);
  }, 30_000);

  it('gateway: an API key list with a short key exits 1, names it, and prints no key', async () => {
    const keys = 'a-long-enough-key-0123456789,hunter2';
    const exit = await runApp('gateway', { PORT: String(await freePort()), REDIS_URL, GEOKV_API_KEYS: keys });
    expectRefused(exit, 'gateway', ['GEOKV_API_KEYS']);
    expect(exit.output).not.toContain('hunter2');
    expect(exit.output).not.toContain('a-long-enough-key-0123456789');
  }, 30_000);

  it('gateway: REDIS_URL that is not redis:// exits 1 and names it', async () => {
    const exit = await runApp('gateway', { PORT: String(await freePort()), REDIS_URL: 'http://127.0.0.1:6379' });
    expectRefused(exit, 'gateway', ['REDIS_URL']);
  }, 30_000);

  it('gateway: a REDIS_URL its parser cannot read (port 99999) exits 1, names it, and never prints its password', async () => {
    const exit = await runApp('gateway', { PORT: String(await freePort()), REDIS_URL: 'redis://:s3cret-pw@127.0.0.1:99999' });
    expectRefused(exit, 'gateway', ['REDIS_URL']);
    expect(exit.output).toContain('got "redis://***@127.0.0.1:99999"');
    expect(exit.output).not.toContain('s3cret-pw');
  }, 30_000);

  it('replicator: a peer list naming a region twice exits 1 and names GEOKV_PEERS without the passwords', async () => {
    const exit = await runApp('replicator', {
      PORT: String(await freePort()),
      REDIS_URL,
      GEOKV_PEERS: 'eu-west=redis://:s3cret-1@127.0.0.1:1,eu-west=redis://:s3cret-2@127.0.0.1:2',
    });
    expectRefused(exit, 'replicator', ['GEOKV_PEERS']);
    expect(exit.output).not.toMatch(/s3cret/);
  }, 30_000);

  it('storage-node: every bad variable is named at once, not just the first', async () => {
    const exit = await runApp('storage-node', {
      PORT: '70000',
      REDIS_URL,
      DATABASE_URL,
      GEOKV_NODE_ID: 'Node One',
      GEOKV_RPC_TIMEOUT_MS: '1',
      LOG_LEVEL: 'loud',
    });
    expectRefused(exit, 'storage-node', ['PORT', 'GEOKV_NODE_ID', 'GEOKV_RPC_TIMEOUT_MS', 'LOG_LEVEL']);
  }, 30_000);

  it('an app launched by the test harness with a bad value fails its readiness wait with exit code 1 and the message', async () => {
    const log = await refusedThroughHarness('membership', { REDIS_URL, DATABASE_URL, GEOKV_FAILURE_TIMEOUT_MS: 'soon' });
    expect(log).toMatch(/- GEOKV_FAILURE_TIMEOUT_MS: .*got "soon"/);
  }, 30_000);

  it('storage-node: an L1 cache above a quarter of the 512 MB heap it is started with is refused', async () => {
    // 200 MB would fit the default heap of a few GB: refused, it shows the harness gave the node its smaller heap.
    const log = await refusedThroughHarness('storage-node', { REDIS_URL, DATABASE_URL, GEOKV_NODE_ID: 'n1', GEOKV_CACHE_MAX_BYTES: String(200 * 1_048_576) });
    expect(log).toMatch(/- GEOKV_CACHE_MAX_BYTES: must be at most a quarter of this process's JS heap limit of \d+ MB, \d+ bytes;.*got "209715200"/);
  }, 30_000);
});
