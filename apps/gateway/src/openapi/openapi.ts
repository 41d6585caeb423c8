import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

/** OpenAPI at /docs (UI) and /docs/json, generated from the controllers' decorators. */
export function setUpOpenApi(app: NestFastifyApplication): void {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('geokv')
      .setDescription('Geo-distributed key-value store. Every error is JSON { error, message, requestId }.')
      .setVersion('1')
      .build(),
  );
  SwaggerModule.setup('docs', app, renameKeyWildcard(document), { jsonDocumentUrl: 'docs/json' });
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
