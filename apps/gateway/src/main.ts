import 'reflect-metadata';
import { bootApp } from '@geokv/bootstrap';
import { ReplySafeRedisServer, transportOptionsFromUrl } from '@geokv/config';
import { GatewayConfig } from './gateway.config';
import { GatewayModule } from './gateway.module';
import { configureHttp } from './http/configure-http';
import { clientErrorHandler, frameworkErrorHandler } from './http/framework-errors';
import { setUpOpenApi } from './openapi/openapi';

void bootApp({
  name: 'gateway',
  configClass: GatewayConfig,
  rootModule: (config) => GatewayModule.forRoot(config),
  logRequests: true,
  // The gateway serves no requests over Redis; it subscribes to membership's ring and catalog events.
  microservice: (config) => ({ strategy: new ReplySafeRedisServer(transportOptionsFromUrl(config.REDIS_URL)) }),
  fastify: (config) => ({
    bodyLimit: config.GEOKV_MAX_VALUE_BYTES,
    // Keys may be 1024 bytes, i.e. up to 3 KiB percent-encoded; Fastify's default 100 would 404 them.
    routerOptions: { maxParamLength: 16_384 },
    frameworkErrors: frameworkErrorHandler(config.GEOKV_REGION),
    clientErrorHandler: clientErrorHandler(config.GEOKV_REGION),
  }),
  configure: (app, config) => {
    configureHttp(app, config);
    setUpOpenApi(app);
  },
});
