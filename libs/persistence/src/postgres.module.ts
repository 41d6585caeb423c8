import { Module, type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MigrationInterface } from 'typeorm';

export interface PostgresOptions {
  readonly url: string;
  readonly migrations: (new () => MigrationInterface)[];
  readonly poolSize: number;
  readonly applicationName: string;
  /** Run-time settings (GUCs) for every connection of the pool, e.g. { enable_seqscan: 'off' }. */
  readonly sessionSettings?: Readonly<Record<string, string>>;
}

/**
 * TypeORM over `pg`. The schema comes only from migrations, run at start-up inside one transaction each;
 * `synchronize` stays off so that no boot can alter a production schema by accident.
 */
@Module({})
export class PostgresModule {
  static forRoot(options: PostgresOptions): DynamicModule {
    return {
      module: PostgresModule,
      imports: [
        TypeOrmModule.forRoot({
          type: 'postgres',
          url: options.url,
          synchronize: false,
          migrationsRun: true,
          migrationsTransactionMode: 'each',
          migrations: options.migrations,
          entities: [],
          logging: ['error', 'migration'],
          poolSize: options.poolSize,
          applicationName: options.applicationName,
          // Keep retrying for a while at boot: in a fresh cluster the database may come up after the app.
          retryAttempts: 20,
          retryDelay: 500,
          extra: {
            connectionTimeoutMillis: 5_000,
            // Connections stay open once opened. pg-pool closes one idle for 10 s by default, and under a steady
            // load a pool's spare connections idle that long and are needed again moments later: each reopening
            // is a new PostgreSQL backend (a fork, cold caches, every named statement prepared again) in the
            // middle of a request. The pool's size is what the server is sized for anyway.
            idleTimeoutMillis: 0,
            options: Object.entries(options.sessionSettings ?? {})
              .map(([name, value]) => `-c ${name}=${value}`)
              .join(' '),
          },
        }),
      ],
    };
  }
}
