import { Controller, Get, HttpCode, Inject, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZod, ZodQuery } from '../common/zod.js';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/config.tokens.js';
import {
  acknowledgementSchema,
  detectionPageSchema,
  detectionQuerySchema,
  fixRangeQuerySchema,
  fixRangeSchema,
  snapshotQuerySchema,
  snapshotSchema,
} from './live.dto.js';
import { LiveService } from './live.service.js';

type Out<T extends z.ZodType> = z.output<T>;

/** The dashboard's REST side: the snapshot taken on (re)connect, stored detections and fixes, acknowledgements. */
@ApiTags('live')
@ApiBearerAuth()
@Controller()
export class LiveController {
  constructor(
    private readonly live: LiveService,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  /** What the page needs to know of the server's configuration (DASHBOARD_TILE_URL). */
  @Get('live/config')
  dashboardConfig() {
    return { tileUrl: this.config.dashboardTileUrl ?? null };
  }

  /** Latest position and status of each visible device and the unacknowledged alerts; then follow the socket. */
  @Get('live/snapshot')
  @ApiZod({ query: snapshotQuerySchema, response: snapshotSchema })
  snapshot(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(snapshotQuerySchema) query: Out<typeof snapshotQuerySchema>,
  ) {
    return this.live.snapshot(principal, query);
  }

  /** Stored detections (with their acknowledgement) of the visible devices, oldest first. */
  @Get('detections')
  @ApiZod({ query: detectionQuerySchema, response: detectionPageSchema })
  detections(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(detectionQuerySchema) query: Out<typeof detectionQuerySchema>,
  ) {
    return this.live.detections(principal, query);
  }

  /** Stored fixes of the visible devices in a time range, oldest first, for replay. */
  @Get('fixes')
  @ApiZod({ query: fixRangeQuerySchema, response: fixRangeSchema })
  fixes(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(fixRangeQuerySchema) query: Out<typeof fixRangeQuerySchema>,
  ) {
    return this.live.fixes(principal, query);
  }

  /** Records who acknowledged the alert and how long after detection; 409 if it already was. */
  @Roles('manager')
  @Post('detections/:id/acknowledge')
  @HttpCode(201)
  @ApiZod({ response: acknowledgementSchema, status: 201 })
  acknowledge(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.live.acknowledge(principal, id);
  }
}
