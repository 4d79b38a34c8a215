import { applyDecorators, Body, type PipeTransform, Query } from '@nestjs/common';
import { ApiBody, ApiQuery, ApiResponse } from '@nestjs/swagger';
import { z } from 'zod';
import { DomainErrorCode, DomainException } from './domain.exception.js';

/** Validates and converts a request part with a zod schema; 400 with one issue per offending field. */
export class ZodValidationPipe<T extends z.ZodType> implements PipeTransform<unknown, z.output<T>> {
  constructor(
    private readonly schema: T,
    private readonly part: 'body' | 'query',
  ) {}

  transform(value: unknown): z.output<T> {
    const parsed = this.schema.safeParse(value);
    if (parsed.success) return parsed.data;
    const issues = parsed.error.issues.map((issue) => ({
      path: issue.path.map(String).join('.') || this.part,
      message: issue.message,
    }));
    throw new DomainException(
      DomainErrorCode.InvalidInput,
      `invalid ${this.part}: ${issues.map((issue) => `${issue.path}: ${issue.message}`).join('; ')}`,
      issues,
    );
  }
}

export const ZodBody = (schema: z.ZodType) => Body(new ZodValidationPipe(schema, 'body'));
export const ZodQuery = (schema: z.ZodType) => Query(new ZodValidationPipe(schema, 'query'));

/** JSON Schema of what a client sends, for OpenAPI. */
export function openApiSchema(schema: z.ZodType, io: 'input' | 'output' = 'input'): Record<string, unknown> {
  const { $schema: _ignored, ...json } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return json;
}

interface ApiZodOptions {
  body?: z.ZodType;
  query?: z.ZodObject;
  response?: z.ZodType;
  status?: number;
}

/** Documents an endpoint's body, query and response in OpenAPI from the same zod schemas that validate them. */
export function ApiZod({ body, query, response, status = 200 }: ApiZodOptions) {
  const decorators: (ClassDecorator | MethodDecorator | PropertyDecorator)[] = [];
  if (body) decorators.push(ApiBody({ schema: openApiSchema(body) }));
  if (query) {
    const properties = (openApiSchema(query).properties ?? {}) as Record<string, Record<string, unknown>>;
    for (const [name, schema] of Object.entries(properties)) {
      decorators.push(ApiQuery({ name, required: false, schema }));
    }
  }
  decorators.push(
    ApiResponse({ status, ...(response ? { schema: openApiSchema(response, 'output') } : {}) }),
    ApiResponse({ status: 400, description: 'invalid input: `issues` names each offending field' }),
  );
  return applyDecorators(...(decorators as MethodDecorator[]));
}

/** Pagination shared by every list endpoint. */
export const pageQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).default(0),
});

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export const pageSchema = <T extends z.ZodType>(item: T) =>
  z.object({
    items: z.array(item),
    total: z.number().int(),
    limit: z.number().int(),
    offset: z.number().int(),
  });
