import { Client } from 'pg';
import { freePort } from './free-port';
import { createDatabase, databaseExists, databaseUrl, dropDatabase, ensureDatabase, redactUrl } from './postgres-admin';
import { uniqueDatabasePrefix } from './region';

describe('postgres-admin (real PostgreSQL, default 127.0.0.1:5432)', () => {
  const name = `${uniqueDatabasePrefix('spec')}_admin`;

  afterAll(() => dropDatabase(name));

  it('creates a database that can be used, keeps it on ensure, and drops it', async () => {
    await createDatabase(name);
    expect(await ensureDatabase(name)).toBe(false);

    const client = new Client({ connectionString: databaseUrl(name) });
    await client.connect();
    const result = await client.query<{ name: string }>('SELECT current_database() AS name');
    await client.end();
    expect(result.rows[0].name).toBe(name);

    await dropDatabase(name);
    expect(await databaseExists(name)).toBe(false);
    await dropDatabase(name); // IF EXISTS: dropping twice is fine
  });

  it('builds URLs on the admin server, keeping its credentials', () => {
    expect(databaseUrl('geokv_x', 'postgres://u:p@db.example:6000/postgres?sslmode=disable')).toBe(
      'postgres://u:p@db.example:6000/geokv_x?sslmode=disable',
    );
  });

  it('rejects names that would need quoting', async () => {
    await expect(createDatabase('bad"; DROP')).rejects.toThrow('invalid database name');
  });

  it('says loudly that PostgreSQL is required when the server is unreachable', async () => {
    const deadPort = await freePort();
    await expect(createDatabase(name, `postgres://postgres@127.0.0.1:${deadPort}/postgres`)).rejects.toThrow(
      /PostgreSQL is required but postgres:\/\/postgres@127\.0\.0\.1:\d+\/postgres is unreachable/,
    );
  });

  it('prints a URL with its password hidden, whether in the user info or a password parameter', () => {
    expect(redactUrl('postgres://app:s3cret@db.internal:5432/geokv')).toBe('postgres://app:***@db.internal:5432/geokv');
    expect(redactUrl('postgres://app@db.internal/geokv?sslmode=require&password=s3cret')).toBe('postgres://app@db.internal/geokv?sslmode=require&password=***');
  });
});
