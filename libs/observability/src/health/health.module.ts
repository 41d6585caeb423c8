import { Module, type DynamicModule, type FactoryProvider, type ModuleMetadata } from '@nestjs/common';
import { TerminusModule, type HealthIndicatorFunction } from '@nestjs/terminus';
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
