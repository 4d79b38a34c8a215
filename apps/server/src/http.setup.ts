import { type INestApplication, PayloadTooLargeException } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import express, { type NextFunction, type Request, type Response } from 'express';
import { HttpExceptionFilter } from './common/http-exception.filter.js';
import { RUNTIME_CONFIG, type RuntimeConfig } from './config/config.tokens.js';
import { serveDashboard } from './live/dashboard.static.js';

/** JSON bodies larger than this are refused with 413 before any handler runs. */
export const MAX_JSON_BODY = '1mb';
/** Zone imports carry a whole GeoJSON or KML file (the import itself refuses more than 5 MB of content). */
export const MAX_IMPORT_BODY = '6mb';

/** A ground-truth file holds a run's true position at every fix: tens of MB for a long run of a gang. */
export const GROUND_TRUTH_ROUTE = '/ground-truth';

/** A body-parser 413 for `route`, as one that names the route's limit and the variable that sets it. */
function namingTheLimit(route: string, limitBytes: number, variable: string) {
  return (error: unknown, _request: Request, _response: Response, next: NextFunction) => {
    const { type, length } = (error ?? {}) as { type?: unknown; length?: unknown };
    if (type !== 'entity.too.large') return next(error);
    const size = typeof length === 'number' ? `${length} bytes` : 'more than the limit';
    next(
      new PayloadTooLargeException(
        `request body too large: ${size}; POST ${route} accepts at most ${limitBytes} bytes ` +
          `(${limitBytes / 1024 / 1024} MB, set by ${variable})`,
      ),
    );
  };
}

/** The HTTP edge: bounded body parsing, the one error filter, and OpenAPI at /docs. */
export function configureHttp(app: INestApplication): void {
  const { http } = app.get<RuntimeConfig>(RUNTIME_CONFIG);
  const groundTruthLimitBytes = http.groundTruthMaxBodyMb * 1024 * 1024;
  app.use('/zones/import', express.json({ limit: MAX_IMPORT_BODY }));
  app.use(
    GROUND_TRUTH_ROUTE,
    express.json({ limit: groundTruthLimitBytes }),
    namingTheLimit(GROUND_TRUTH_ROUTE, groundTruthLimitBytes, 'GROUND_TRUTH_MAX_BODY_MB'),
  );
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
