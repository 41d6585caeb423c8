import { Client } from 'pg';
import { setTimeout as sleep } from 'node:timers/promises';
import { withoutPasswordParameters } from '@geokv/config';

/** Where tests and tools create their databases, unless told otherwise. */
export const DEFAULT_ADMIN_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

/** A refused or unreachable server should fail fast, not hang a test for the driver's default. */
const CONNECT_TIMEOUT_MS = 5_000;
/** CREATE DATABASE copies template1 and fails (55006) if another session is copying it right then. */
const TEMPLATE_BUSY_RETRIES = 5;

/** `GEOKV_TEST_DATABASE_URL` ?? `DATABASE_URL` ?? the local default: a connection with CREATEDB rights. */
export function defaultAdminUrl(): string {
  return process.env.GEOKV_TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? DEFAULT_ADMIN_URL;
}

/** URL of database `name` on the same server, with the same credentials, as `adminUrl`. */
export function databaseUrl(name: string, adminUrl = defaultAdminUrl()): string {
  assertDatabaseName(name);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

/** Creates database `name`; fails if it already exists. */
export async function createDatabase(name: string, adminUrl = defaultAdminUrl()): Promise<void> {
  assertDatabaseName(name);
  await withAdmin(adminUrl, async (client) => {
    for (let attempt = 1; ; attempt++) {
      try {
        // Identifiers cannot be bound as parameters; assertDatabaseName makes interpolation safe.
        await client.query(`CREATE DATABASE "${name}"`);
        return;
      } catch (error) {
        if (!(isPgError(error, '55006') && attempt < TEMPLATE_BUSY_RETRIES)) throw error;
        await sleep(100 * attempt);
      }
    }
  });
}

/** Creates database `name` unless it exists, keeping any data in it. Returns true if it was created. */
export async function ensureDatabase(name: string, adminUrl = defaultAdminUrl()): Promise<boolean> {
  if (await databaseExists(name, adminUrl)) return false;
  try {
    await createDatabase(name, adminUrl);
    return true;
  } catch (error) {
    // 42P04: created concurrently by someone else since we looked, which is what we wanted.
    if (isPgError(error, '42P04')) return false;
    throw error;
  }
}

export async function databaseExists(name: string, adminUrl = defaultAdminUrl()): Promise<boolean> {
  assertDatabaseName(name);
  return withAdmin(adminUrl, async (client) => {
    const result = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    return result.rowCount === 1;
  });
}

/** Drops database `name` if it exists, disconnecting its sessions (`WITH (FORCE)`). */
export async function dropDatabase(name: string, adminUrl = defaultAdminUrl()): Promise<void> {
  assertDatabaseName(name);
  await withAdmin(adminUrl, (client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Throws the "PostgreSQL is required" error unless the admin connection works. */
export async function assertPostgresReachable(adminUrl = defaultAdminUrl()): Promise<void> {
  await withAdmin(adminUrl, (client) => client.query('SELECT 1'));
}

/** Runs `work` on a fresh admin connection, closing it afterwards. Connection failures get an actionable message. */
export async function withAdmin<T>(adminUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminUrl, connectionTimeoutMillis: CONNECT_TIMEOUT_MS });
  try {
    await client.connect();
  } catch (error) {
    throw new Error(unreachableMessage(adminUrl, error), { cause: error });
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Lower-case identifiers only: no quoting surprises, and safe to interpolate into DDL. 63 is PostgreSQL's limit. */
export function assertDatabaseName(name: string): void {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) {
    throw new Error(`invalid database name ${JSON.stringify(name)}: use 1-63 of [a-z0-9_], not starting with a digit`);
  }
}

/** The URL without its password (in its user info or a `password` parameter), safe to print. */
export function redactUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.password !== '') parsed.password = '***';
  return withoutPasswordParameters(parsed.toString());
}

function unreachableMessage(adminUrl: string, error: unknown): string {
  const reason = error instanceof Error ? error.message : String(error);
  return [
    `PostgreSQL is required but ${redactUrl(adminUrl)} is unreachable (${reason}).`,
    'Start it (Debian: apt-get install -y postgresql && pg_ctlcluster --skip-systemctl-redirect <version> main start),',
    'or point GEOKV_TEST_DATABASE_URL / DATABASE_URL at a server where this user may CREATE DATABASE.',
  ].join(' ');
}

function isPgError(error: unknown, code: string): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === code;
}
