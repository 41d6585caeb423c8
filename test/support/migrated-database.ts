import { DataSource, type MigrationInterface } from 'typeorm';
import { CONTROL_PLANE_MIGRATIONS, SHARD_MIGRATIONS } from '@geokv/persistence';
import { createDatabase, databaseUrl, dropDatabase, type Teardown, uniqueDatabasePrefix } from '@geokv/test-support';

/** A new database with a shard's schema (its migrations run), dropped by `teardown`; returns its URL. */
export function createMigratedShard(label: string, teardown: Teardown): Promise<string> {
  return createMigratedDatabase(label, SHARD_MIGRATIONS, teardown);
}

/** A new database with membership's schema (the keyspace catalog and the ring), dropped by `teardown`. */
export function createMigratedControlPlane(label: string, teardown: Teardown): Promise<string> {
  return createMigratedDatabase(label, CONTROL_PLANE_MIGRATIONS, teardown);
}

async function createMigratedDatabase(label: string, migrationClasses: (new () => MigrationInterface)[], teardown: Teardown): Promise<string> {
  const name = `${uniqueDatabasePrefix('it')}_${label}`;
  await createDatabase(name);
  teardown.add(`drop ${name}`, () => dropDatabase(name));
  const migrations = new DataSource({ type: 'postgres', url: databaseUrl(name), migrations: migrationClasses });
  await migrations.initialize();
  try {
    await migrations.runMigrations();
  } finally {
    await migrations.destroy();
  }
  return databaseUrl(name);
}
