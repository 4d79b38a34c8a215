import { Controller, Get } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { z } from 'zod';
import { Roles } from '../auth/auth.decorators.js';
import { ApiZod, pageQuerySchema, ZodQuery } from '../common/zod.js';

const auditQuerySchema = pageQuerySchema.extend({
  resource: z.string().optional(),
  userId: z.uuid().optional(),
});

@ApiTags('audit')
@ApiBearerAuth()
@Controller('audit-log')
export class AuditController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Roles('manager')
  @Get()
  @ApiZod({ query: auditQuerySchema })
  async list(@ZodQuery(auditQuerySchema) query: z.output<typeof auditQuerySchema>) {
    const where = `WHERE ($1::text IS NULL OR resource = $1) AND ($2::uuid IS NULL OR user_id = $2)`;
    const params = [query.resource ?? null, query.userId ?? null];
    const [{ total }] = await this.dataSource.query(
      `SELECT count(*)::int AS total FROM audit_log ${where}`,
      params,
    );
    const items = await this.dataSource.query(
      `SELECT id, at, user_id AS "userId", user_email AS "userEmail", action, resource, resource_id AS "resourceId",
              status, detail
       FROM audit_log ${where} ORDER BY id DESC LIMIT $3 OFFSET $4`,
      [...params, query.limit, query.offset],
    );
    return { items, total, limit: query.limit, offset: query.offset };
  }
}
