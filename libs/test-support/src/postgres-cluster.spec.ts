import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port';
import { withAdmin } from './postgres-admin';
import { PostgresCluster } from './postgres-cluster';

describe('PostgresCluster', () => {
  const dir = mkdtempSync(join(tmpdir(), 'geokv-pg-spec-'));
  // mkdtemp makes it 0700; as root the server runs as `postgres`, which must traverse it.
  chmodSync(dir, 0o755);
  let cluster: PostgresCluster | undefined;

  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('provisions a cluster, and reuses it with its data after a stop', async () => {
    const port = await freePort();
    cluster = await PostgresCluster.start({ dir: join(dir, 'pg'), port });
    await withAdmin(cluster.url, (client) => client.query('CREATE TABLE kept (v int); INSERT INTO kept VALUES (7)'));

    await cluster.stop();
    cluster = await PostgresCluster.start({ dir: join(dir, 'pg'), port });

    const rows = await withAdmin(cluster.url, (client) => client.query<{ v: number }>('SELECT v FROM kept'));
    expect(rows.rows).toEqual([{ v: 7 }]);
  }, 60_000);
});
