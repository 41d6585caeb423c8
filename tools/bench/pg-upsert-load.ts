import { Pool } from 'pg';
import { benchValue, KEY_SPACE } from './bench-config';
import { latencyPercentiles, PhaseResult } from './phase-result';
import { CpuMeter, perRequestMicros, type MeteredProcess } from './process-cpu';

const UPSERT = 'INSERT INTO bench_kv(k, v) VALUES ($1, $2) ON CONFLICT (k) DO UPDATE SET v = excluded.v';

/**
 * The baseline for geokv's PUT: the same single-row upsert straight into PostgreSQL, one statement per
 * request, from `connections` concurrent loops. `url` is a throwaway database on the server geokv uses.
 * Opened once and run once per round, beside geokv's PUT phase.
 */
export class PgUpsertBaseline {
  private readonly counter = { next: 0 };

  private constructor(
    private readonly pool: Pool,
    private readonly connections: number,
  ) {}

  static async open(url: string, connections: number): Promise<PgUpsertBaseline> {
    const pool = new Pool({ connectionString: url, max: connections });
    try {
      await pool.query('CREATE TABLE IF NOT EXISTS bench_kv (k text PRIMARY KEY, v bytea NOT NULL)');
    } catch (error) {
      await pool.end();
      throw error;
    }
    return new PgUpsertBaseline(pool, connections);
  }

  /** `warmupSeconds` unmeasured, then `seconds` measured; `cpuOf` lists the processes metered over the measured run. */
  async run(seconds: number, warmupSeconds: number, cpuOf: () => readonly MeteredProcess[]): Promise<PhaseResult> {
    await runLoops(this.pool, this.connections, warmupSeconds, this.counter);
    const cpu = new CpuMeter(cpuOf());
    cpu.start();
    const measured = await runLoops(this.pool, this.connections, seconds, this.counter);
    const cpuSeconds = cpu.read();
    return {
      name: 'raw PostgreSQL upsert',
      okPerSecond: measured.latencies.length / seconds,
      ...latencyPercentiles(measured.latencies),
      non2xx: undefined,
      errors: measured.errors,
      timeouts: 0,
      wrongBodies: 0,
      notes: measured.firstError === undefined ? '' : `first error: ${measured.firstError}`,
      cpuMicrosPerOk: perRequestMicros(cpuSeconds, measured.latencies.length),
    };
  }

  close(): Promise<void> {
    return this.pool.end();
  }
}

/** The server's durability settings, printed beside the numbers: the baseline only means something with fsync on. */
export async function durabilitySettings(url: string): Promise<string> {
  const pool = new Pool({ connectionString: url, max: 1 });
  try {
    const settings = await pool.query<{ name: string; setting: string }>(
      "SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'wal_sync_method') ORDER BY name",
    );
    return settings.rows.map((row) => `${row.name}=${row.setting}`).join(' ');
  } finally {
    await pool.end();
  }
}

interface LoopOutcome {
  latencies: number[];
  errors: number;
  firstError: string | undefined;
}

async function runLoops(pool: Pool, loops: number, seconds: number, counter: { next: number }): Promise<LoopOutcome> {
  const outcome: LoopOutcome = { latencies: [], errors: 0, firstError: undefined };
  const deadline = performance.now() + seconds * 1000;
  const loop = async (): Promise<void> => {
    while (performance.now() < deadline) {
      const n = counter.next++ % KEY_SPACE;
      const started = performance.now();
      try {
        await pool.query(UPSERT, [`bench-${n}`, Buffer.from(benchValue(n))]);
        outcome.latencies.push(performance.now() - started);
      } catch (error) {
        // Counted and reported, never hidden; the loop goes on so one failure doesn't end the phase.
        outcome.errors++;
        outcome.firstError ??= error instanceof Error ? error.message : String(error);
      }
    }
  };
  await Promise.all(Array.from({ length: loops }, loop));
  return outcome;
}
