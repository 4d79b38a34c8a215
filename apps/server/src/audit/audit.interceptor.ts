import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { Request, Response } from 'express';
import { catchError, concatMap, from, map, type Observable, throwError } from 'rxjs';
import type { DataSource } from 'typeorm';
import { READ_METHODS, type Principal } from '../auth/principal.js';
import { toErrorBody } from '../common/http-exception.filter.js';

const SECRET_KEYS = /password|credential|secret|token/i;
/** Whole files (zone imports) are summarised by size rather than copied into the log. */
const BULKY_KEYS = new Set(['content']);

/** A copy of the request body with anything secret replaced, safe to keep forever. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        SECRET_KEYS.test(key)
          ? '[redacted]'
          : BULKY_KEYS.has(key) && typeof inner === 'string'
            ? `[${inner.length} characters]`
            : redact(inner),
      ]),
    );
  }
  return value;
}

/** Writes one audit row: who, when, what, on which resource, the outcome, and the redacted body. */
@Injectable()
export class AuditService {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async record(
    request: Request & { principal?: Principal },
    status: number,
    createdId?: string,
  ): Promise<void> {
    const principal = request.principal;
    const resource = (request.route as { path?: string } | undefined)?.path ?? request.path;
    const resourceId = createdId ?? (request.params as Record<string, string | undefined>).id ?? null;
    await this.dataSource.query(
      `INSERT INTO audit_log (user_id, user_email, action, resource, resource_id, status, detail)
       VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [
        principal?.userId ?? null,
        principal?.email ?? null,
        request.method,
        resource,
        resourceId,
        status,
        JSON.stringify({ body: redact(request.body ?? {}), query: request.query }),
      ],
    );
  }
}

/**
 * Records every write (any non-read HTTP request) that reaches a handler, allowed or refused, in
 * `audit_log`. Writes the auth guard refuses before that are recorded by the guard itself.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    if (context.getType() !== 'http') return next.handle();
    const request = context.switchToHttp().getRequest<Request & { principal?: Principal }>();
    if (READ_METHODS.has(request.method)) return next.handle();
    return next.handle().pipe(
      concatMap((result: unknown) => {
        const status = context.switchToHttp().getResponse<Response>().statusCode;
        const id = (result as { id?: unknown } | undefined)?.id;
        return from(this.audit.record(request, status, typeof id === 'string' ? id : undefined)).pipe(
          map(() => result),
        );
      }),
      catchError((error: unknown) =>
        from(this.audit.record(request, toErrorBody(error).statusCode)).pipe(
          concatMap(() => throwError(() => error)),
        ),
      ),
    );
  }
}
