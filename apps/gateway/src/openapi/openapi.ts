import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

const API_KEY_DESCRIPTION =
  'An API key, when the gateway has them (GEOKV_API_KEYS, GEOKV_ADMIN_API_KEYS): any key for /v1/kv and reading keyspaces, an admin key for /v1/admin and PUT /v1/keyspaces/{name}.';

/** OpenAPI at /docs (UI) and /docs/json, generated from the controllers' decorators. */
export function setUpOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('geokv')
      .setDescription('Geo-distributed key-value store. Every error is JSON { error, message, requestId }.')
      .setVersion('1')
      .addBearerAuth({ type: 'http', scheme: 'bearer', description: API_KEY_DESCRIPTION }, 'apiKey')
      .build(),
  );
  // A key where the gateway has keys (401 without one, 403 for a data key on the admin API); none otherwise.
  const secured: OpenAPIObject = { ...document, security: [{ apiKey: [] }, {}] };
  SwaggerModule.setup('docs', app, renameKeyWildcard(secured), { jsonDocumentUrl: 'docs/json' });
}

/**
 * Only the public API (/v1), with the router's catch-all segment named `key` so that generated clients
 * get a `key` parameter (the controllers document it under that name).
 */
function renameKeyWildcard(document: OpenAPIObject): OpenAPIObject {
  const paths = Object.fromEntries(
    Object.entries(document.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .map(([path, item]) => [path.replace(/\/\{path\}$/, '/{key}'), item]),
  );
  return { ...document, paths };
}
