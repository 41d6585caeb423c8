import type { DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { CustomStrategy } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyServerOptions } from 'fastify';
import { Logger } from 'nestjs-pino';
import { ConfigError, loadConfig, type CommonConfig } from '@geokv/config';
import { instrumentHttp, requestIdOf } from '@geokv/observability';
import { installLeanAsyncResourceBind } from './lean-async-resource-bind';

type AppConfig = CommonConfig & { readonly PORT: number };

export interface AppDefinition<C extends AppConfig> {
  readonly name: string;
  readonly configClass: new () => C;
  readonly rootModule: (config: Readonly<C>) => DynamicModule;
  /** The app's Redis-transport server, when it serves microservice messages. */
  readonly microservice?: (config: Readonly<C>) => CustomStrategy;
  readonly fastify?: (config: Readonly<C>) => FastifyServerOptions;
  /** Last touches on the Fastify app before it listens (content parsers, OpenAPI, error handlers). */
  readonly configure?: (app: NestFastifyApplication, config: Readonly<C>) => Promise<void> | void;
  /** Log a line per HTTP request: the gateway does; internal apps only serve probes and scrapes. */
  readonly logRequests?: boolean;
}

/**
 * Starts one geokv app: config validated before anything else (a bad variable exits with code 1 and a
 * message naming it), JSON logs, HTTP metrics, the optional microservice server, and graceful shutdown on
 * SIGTERM and SIGINT (and on the other signals that would otherwise end the process, SIGHUP and SIGUSR2
 * among them: Nest listens to all of them when given no list).
 */
export async function bootApp<C extends AppConfig>(definition: AppDefinition<C>): Promise<NestFastifyApplication> {
  const config = readConfigOrExit(definition);
  installLeanAsyncResourceBind();
  const adapter = new FastifyAdapter({
    genReqId: requestIdOf,
    ...(definition.fastify?.(config) ?? {}),
  });
  const app = await NestFactory.create<NestFastifyApplication>(definition.rootModule(config), adapter, {
    bufferLogs: true,
    // Bodies stay raw Buffers: a stored value is bytes, and JSON endpoints parse their own bodies.
    bodyParser: false,
  });
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks();
  instrumentHttp(app, definition.logRequests ?? false);
  if (definition.microservice) {
    app.connectMicroservice(definition.microservice(config), { inheritAppConfig: true });
  }
  await definition.configure?.(app, config);
  await app.startAllMicroservices();
  await app.listen({ port: config.PORT, host: config.HOST });
  return app;
}

function readConfigOrExit<C extends AppConfig>(definition: AppDefinition<C>): Readonly<C> {
  try {
    return loadConfig(definition.configClass);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${definition.name}: ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}
