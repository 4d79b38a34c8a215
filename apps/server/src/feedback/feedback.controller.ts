import { Controller, Get, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZod, ZodBody, ZodQuery } from '../common/zod.js';
import { aggregateQuerySchema, feedbackInputSchema, feedbackQuerySchema } from './feedback.dto.js';
import { FeedbackService } from './feedback.service.js';

type Out<T extends z.ZodType> = z.output<T>;

@ApiTags('feedback')
@ApiBearerAuth()
@Controller()
export class FeedbackController {
  constructor(private readonly feedback: FeedbackService) {}

  @Get('survey-templates')
  templates() {
    return this.feedback.listTemplates();
  }

  /** Individual responses include free text: managers only. */
  @Roles('manager')
  @Get('feedback')
  @ApiZod({ query: feedbackQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(feedbackQuerySchema) query: Out<typeof feedbackQuerySchema>,
  ) {
    return this.feedback.list(principal, query);
  }

  @Get('feedback/aggregates')
  @ApiZod({ query: aggregateQuerySchema })
  aggregates(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(aggregateQuerySchema) query: Out<typeof aggregateQuerySchema>,
  ) {
    return this.feedback.aggregates(principal, query);
  }

  @Roles('manager')
  @Post('feedback')
  @ApiZod({ body: feedbackInputSchema, status: 201 })
  record(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(feedbackInputSchema) body: Out<typeof feedbackInputSchema>,
  ) {
    return this.feedback.record(principal, body);
  }
}
