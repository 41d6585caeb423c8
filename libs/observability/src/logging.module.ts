import { Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import type { IncomingMessage } from 'node:http';
import { requestIdOf } from './request-id';

export interface LoggingOptions {
  readonly app: string;
  readonly region: string;
  readonly level: string;
  /** Log a line per HTTP request. The gateway does; the internal apps only serve probes and scrapes. */
  readonly logRequests: boolean;
}

const PROBE_PATHS = /^\/(health\/|metrics)/;

/**
 * JSON log lines through pino. Request headers that may carry credentials are redacted, and request and
 * response bodies are never logged, so stored values cannot leak into logs.
 */
@Module({})
export class LoggingModule {
  static forApp(options: LoggingOptions): DynamicModule {
    return {
      module: LoggingModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            level: options.level,
            base: { app: options.app, region: options.region, pid: process.pid },
            genReqId: (req: IncomingMessage) => requestIdOf(req),
            customAttributeKeys: { reqId: 'requestId' },
            autoLogging: options.logRequests
              ? { ignore: (req: IncomingMessage) => PROBE_PATHS.test(req.url ?? '') }
              : false,
            redact: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie'],
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({ method: req.method, url: req.url }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
          },
        }),
      ],
    };
  }
}
