import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express from 'express';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { serveDashboard } from './live/dashboard.static.js';

/** JSON bodies larger than this are refused with 413 before any handler runs. */
export const MAX_JSON_BODY = '1mb';
/** Zone imports carry a whole GeoJSON or KML file (the import itself refuses more than 5 MB of content). */
export const MAX_IMPORT_BODY = '6mb';

/** The HTTP edge: bounded body parsing, the one error filter, and OpenAPI at /docs. */
export function configureHttp(app: INestApplication): void {
  app.use('/zones/import', express.json({ limit: MAX_IMPORT_BODY }));
  app.use(express.json({ limit: MAX_JSON_BODY }));
  app.useGlobalFilters(new HttpExceptionFilter());
  serveDashboard(app);
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Lookout')
      .setDescription(
        'Field trials of trackside geofence wearables. Log in at POST /auth/login and send the token as ' +
          "`Authorization: Bearer <token>`. Suppliers see only their own organisation's devices and data.",
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'docs/openapi.json' });
}
