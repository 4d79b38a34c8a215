import { Delete, Get, HttpCode, Inject, Param, ParseUUIDPipe, Patch, Post, type Type } from '@nestjs/common';
import { ApiBearerAuth } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZod, ZodBody, ZodQuery } from '../common/zod.js';
import { byTrialQuerySchema } from './trials.dto.js';
import { TrialChildren, type TrialChild } from './trial-children.service.js';

interface TrialChildRoutes<E extends TrialChild> {
  entity: Type<E>;
  create: z.ZodType;
  update: z.ZodType;
  /** Adds DELETE for managers (the database may still refuse, e.g. criteria of an active trial). */
  deletable?: boolean;
}

/**
 * The standard routes of a trial-owned resource: list (paginated, `?trialId=`), read, create and update
 * (managers only), and optionally delete. Subclasses add `@Controller(path)` and `@ApiTags`.
 */
export function TrialChildController<E extends TrialChild>({
  entity,
  create,
  update,
  deletable,
}: TrialChildRoutes<E>) {
  @ApiBearerAuth()
  class TrialChildControllerBase {
    constructor(@Inject(TrialChildren) readonly children: TrialChildren) {}

    @Get()
    @ApiZod({ query: byTrialQuerySchema })
    list(
      @CurrentPrincipal() principal: Principal,
      @ZodQuery(byTrialQuerySchema) query: z.output<typeof byTrialQuerySchema>,
    ) {
      return this.children.list(entity, principal, query);
    }

    @Get(':id')
    get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
      return this.children.get(entity, principal, id);
    }

    @Roles('manager')
    @Post()
    @ApiZod({ body: create, status: 201 })
    create(@CurrentPrincipal() principal: Principal, @ZodBody(create) body: Partial<E>) {
      return this.children.create(entity, principal, body);
    }

    @Roles('manager')
    @Patch(':id')
    @ApiZod({ body: update })
    update(
      @CurrentPrincipal() principal: Principal,
      @Param('id', ParseUUIDPipe) id: string,
      @ZodBody(update) body: Partial<E>,
    ) {
      return this.children.update(entity, principal, id, body);
    }
  }
  if (!deletable) return TrialChildControllerBase;

  class DeletableTrialChildController extends TrialChildControllerBase {
    @Roles('manager')
    @Delete(':id')
    @HttpCode(204)
    async remove(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
      await this.children.remove(entity, principal, id);
    }
  }
  return DeletableTrialChildController;
}
