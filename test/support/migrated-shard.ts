import { DataSource } from 'typeorm';
import { SHARD_MIGRATIONS } from '@geokv/persistence';
import { createDatabase, databaseUrl, dropDatabase, type Teardown, uniqueDatabasePrefix } from '@geokv/test-support';

/** A new database with a shard's schema (its migrations run), dropped by `teardown`; returns its URL. */
export async function createMigratedShard(label: string, teardown: Teardown): Promise<string> {
  const name = `${uniqueDatabasePrefix('it')}_${label}`;
  await createDatabase(name);
  teardown.add(`drop ${name}`, () => dropDatabase(name));
  const migrations = new DataSource({ type: 'postgres', url: databaseUrl(name), migrations: SHARD_MIGRATIONS });
  await migrations.initialize();
  try {
    await migrations.runMigrations();
  } finally {
    await migrations.destroy();
  }
  return databaseUrl(name);
}
