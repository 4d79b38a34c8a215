import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  HttpStatus,
  Logger,
} from '@nestjs/common';
import type { Response } from 'express';
import { QueryFailedError } from 'typeorm';
import { DomainErrorCode, DomainException, type FieldIssue } from './domain.exception.js';

export function statusOf(code: DomainErrorCode): HttpStatus {
  switch (code) {
    case DomainErrorCode.NotFound:
      return HttpStatus.NOT_FOUND;
    case DomainErrorCode.Conflict:
    case DomainErrorCode.InvalidState:
      return HttpStatus.CONFLICT;
    case DomainErrorCode.InvalidInput:
      return HttpStatus.BAD_REQUEST;
    case DomainErrorCode.Unauthenticated:
      return HttpStatus.UNAUTHORIZED;
    case DomainErrorCode.Forbidden:
      return HttpStatus.FORBIDDEN;
    default: {
      const unreachable: never = code;
      throw new Error(`unmapped domain error code ${String(unreachable)}`);
    }
  }
}

interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  issues?: FieldIssue[];
}

/** PostgreSQL errors that are the request's fault (SQLSTATE), as domain errors. */
function fromDatabase(error: QueryFailedError): DomainException | undefined {
  const driver = error.driverError as {
    code?: string;
    detail?: string;
    constraint?: string;
    message: string;
  };
  switch (driver.code) {
    case '23505':
      return new DomainException(
        DomainErrorCode.Conflict,
        `already exists: ${driver.detail ?? driver.constraint}`,
      );
    case '23503':
      return new DomainException(
        DomainErrorCode.InvalidInput,
        `refers to something that does not exist or is still referenced: ${driver.detail ?? driver.constraint}`,
      );
    case '23514':
      return new DomainException(DomainErrorCode.InvalidInput, `violates rule ${driver.constraint}`);
    case 'P0001':
      return new DomainException(DomainErrorCode.InvalidState, driver.message);
    default:
      return undefined;
  }
}

/** The one place where errors become HTTP responses: `{ statusCode, error, message, issues? }`. */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HTTP');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const response = host.switchToHttp().getResponse<Response>();
    const body = toErrorBody(exception);
    if (body.statusCode === 500) this.logger.error((exception as Error)?.stack ?? String(exception));
    response.status(body.statusCode).json(body);
  }
}

/** Any error as the HTTP error body the API answers with. */
export function toErrorBody(exception: unknown): ErrorBody {
  const domain =
    exception instanceof DomainException
      ? exception
      : exception instanceof QueryFailedError
        ? fromDatabase(exception)
        : undefined;
  if (domain) {
    const status = statusOf(domain.code);
    return {
      statusCode: status,
      error: domain.code,
      message: domain.message,
      ...(domain.issues.length ? { issues: domain.issues } : {}),
    };
  }
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    const body = typeof response === 'string' ? { message: response } : (response as Partial<ErrorBody>);
    return {
      statusCode: exception.getStatus(),
      error: body.error ?? exception.name,
      message: Array.isArray(body.message) ? body.message.join('; ') : (body.message ?? exception.message),
      ...(body.issues ? { issues: body.issues } : {}),
    };
  }
  return { statusCode: 500, error: 'internal_error', message: 'internal error' };
}
