import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';

export interface LoggingOptions {
  readonly app: string;
  readonly region: string;
  readonly level: string;
}

/**
 * JSON log lines through pino. pino-http's per-request middleware is deliberately off (`forRoutes: []`):
 * it halved the gateway's throughput. Request lines come from `instrumentHttp` instead, and request-scoped
 * log lines name their request id explicitly. Bodies are never logged, so stored values cannot leak.
 */
@Module({})
export class LoggingModule {
  static forApp(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          forRoutes: [],
          pinoHttp: {
            level: options.level,
            base: { app: options.app, region: options.region, pid: process.pid },
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
          },
        }),
      ],
    };
  }
}
