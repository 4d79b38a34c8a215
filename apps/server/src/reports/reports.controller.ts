import { Controller, Get, Param, ParseIntPipe, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZod, ZodBody, ZodQuery } from '../common/zod.js';
import {
  diffQuerySchema,
  reportInputSchema,
  reportQuerySchema,
  reportTemplateInputSchema,
  reportVersionInputSchema,
  reviewInputSchema,
} from './reports.dto.js';
import { ReportsService } from './reports.service.js';

type Out<T extends z.ZodType> = z.output<T>;

@ApiTags('reports')
@ApiBearerAuth()
@Controller('report-templates')
export class ReportTemplatesController {
  constructor(private readonly reports: ReportsService) {}

  @Get()
  list() {
    return this.reports.listTemplates();
  }

  @Get(':id')
  get(@Param('id', ParseUUIDPipe) id: string) {
    return this.reports.getTemplate(id);
  }

  /** Adds the next version of the named template. */
  @Roles('manager')
  @Post()
  @ApiZod({ body: reportTemplateInputSchema, status: 201 })
  create(@ZodBody(reportTemplateInputSchema) body: Out<typeof reportTemplateInputSchema>) {
    return this.reports.createTemplate(body);
  }
}

@ApiTags('reports')
@ApiBearerAuth()
@Controller('reports')
export class ReportsController {
  constructor(private readonly reports: ReportsService) {}

  @Get()
  @ApiZod({ query: reportQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(reportQuerySchema) query: Out<typeof reportQuerySchema>,
  ) {
    return this.reports.list(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.reports.get(principal, id);
  }

  @Get(':id/versions/:version')
  version(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('version', ParseIntPipe) version: number,
  ) {
    return this.reports.getVersion(principal, id, version);
  }

  @Get(':id/diff')
  @ApiZod({ query: diffQuerySchema })
  diff(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodQuery(diffQuerySchema) query: Out<typeof diffQuerySchema>,
  ) {
    return this.reports.diff(principal, id, query.from, query.to);
  }

  /** A supplier submits its report (version 1); each missing required field is named in `issues`. */
  @Roles('supplier')
  @Post()
  @ApiZod({ body: reportInputSchema, status: 201 })
  submit(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(reportInputSchema) body: Out<typeof reportInputSchema>,
  ) {
    return this.reports.submit(principal, body);
  }

  /** The supplier's next version, after a manager asked for changes. */
  @Roles('supplier')
  @Post(':id/versions')
  @ApiZod({ body: reportVersionInputSchema, status: 201 })
  resubmit(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(reportVersionInputSchema) body: Out<typeof reportVersionInputSchema>,
  ) {
    return this.reports.resubmit(principal, id, body);
  }

  /** A manager accepts the current version or requests changes, with comments per section. */
  @Roles('manager')
  @Post(':id/reviews')
  @ApiZod({ body: reviewInputSchema, status: 201 })
  review(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(reviewInputSchema) body: Out<typeof reviewInputSchema>,
  ) {
    return this.reports.review(principal, id, body);
  }
}
