import { Module, type DynamicModule, type FactoryProvider, type ModuleMetadata } from '@nestjs/common';
import { TerminusModule, TypeOrmHealthIndicator, type HealthIndicatorFunction } from '@nestjs/terminus';
import { HealthController } from './health.controller';
import { RedisHealthIndicator } from './redis.health';
import { READINESS_CHECKS } from './tokens';

export interface HealthOptions {
  readonly imports?: ModuleMetadata['imports'];
  readonly inject?: FactoryProvider['inject'];
  /** Builds the readiness checks from injected indicators, e.g. PostgreSQL and Redis pings. */
  readonly readiness: (...deps: never[]) => HealthIndicatorFunction[];
}

/** GET /health/live and /health/ready for any app, with the readiness checks that app names. */
@Module({})
export class HealthModule {
  /** Readiness of an app that owns a database: its PostgreSQL and its Redis both answer. */
  static forDatabaseApp(): DynamicModule {
    return HealthModule.forApp({
      inject: [TypeOrmHealthIndicator, RedisHealthIndicator],
      readiness: (postgres: TypeOrmHealthIndicator, redis: RedisHealthIndicator) => [
        () => postgres.pingCheck('postgres', { timeout: 1_000 }),
        () => redis.ping(),
      ],
    });
  }

  static forApp(options: HealthOptions): DynamicModule {
    return {
      module: HealthModule,
      imports: [TerminusModule.forRoot({ logger: false }), ...(options.imports ?? [])],
      controllers: [HealthController],
      providers: [
        RedisHealthIndicator,
        { provide: READINESS_CHECKS, inject: options.inject ?? [], useFactory: options.readiness },
      ],
    };
  }
}
