import { Controller, Get, Param, ParseIntPipe, ParseUUIDPipe, Post, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { z } from 'zod';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZod, pageSchema, ZodBody, ZodQuery } from '../common/zod.js';
import {
  checkPointInputSchema,
  checkPointViewSchema,
  zoneImportSchema,
  zoneInputSchema,
  zoneQuerySchema,
  zoneVersionInputSchema,
  zoneVersionViewSchema,
  zoneViewSchema,
} from './zone.dto.js';
import { ZonesService } from './zones.service.js';

type Out<T extends z.ZodType> = z.output<T>;

/**
 * Geofences with provenance. Every write publishes an immutable version (or adds a check point) and is
 * refused if it contradicts a surveyed check point; reads are scoped to the principal's trials.
 */
@ApiTags('zones')
@ApiBearerAuth()
@Controller('zones')
export class ZonesController {
  constructor(private readonly zones: ZonesService) {}

  /** Zones with their current version, or with the version current at `asOf` (zones not yet created omitted). */
  @Get()
  @ApiZod({ query: zoneQuerySchema, response: pageSchema(zoneViewSchema) })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(zoneQuerySchema) query: Out<typeof zoneQuerySchema>,
  ) {
    return this.zones.list(principal, query);
  }

  /** Creates a zone and its version 1 from a Polygon, MultiPolygon, or LineString with halfWidthM. */
  @Roles('manager')
  @Post()
  @ApiZod({ body: zoneInputSchema, response: zoneViewSchema, status: 201 })
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(zoneInputSchema) body: Out<typeof zoneInputSchema>,
  ) {
    return this.zones.createZone(principal, body);
  }

  /** GeoJSON FeatureCollection or KML; all features become zones, or none do (400 lists each bad feature). */
  @Roles('manager')
  @Post('import')
  @ApiZod({ body: zoneImportSchema, response: z.object({ created: z.array(zoneViewSchema) }), status: 201 })
  import(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(zoneImportSchema) body: Out<typeof zoneImportSchema>,
  ) {
    return this.zones.importZones(principal, body);
  }

  @Get(':id')
  @ApiZod({ response: zoneViewSchema })
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.zones.get(principal, id);
  }

  /** Publishes a new immutable version (full content and provenance); 409 if it contradicts a check point. */
  @Roles('manager')
  @Put(':id')
  @ApiZod({ body: zoneVersionInputSchema, response: zoneViewSchema })
  publish(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(zoneVersionInputSchema) body: Out<typeof zoneVersionInputSchema>,
  ) {
    return this.zones.publish(principal, id, body);
  }

  @Get(':id/versions')
  @ApiZod({ response: z.array(zoneVersionViewSchema) })
  versions(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.zones.versions(principal, id);
  }

  @Get(':id/versions/:version')
  @ApiZod({ response: zoneVersionViewSchema })
  version(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('version', ParseIntPipe) version: number,
  ) {
    return this.zones.version(principal, id, version);
  }

  /** Each point with its signed distance to the current version and whether that version agrees with it. */
  @Get(':id/check-points')
  @ApiZod({ response: z.array(checkPointViewSchema) })
  checkPoints(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.zones.listCheckPoints(principal, id);
  }

  /** Adds a surveyed check point; 409 naming the point if the current version contradicts it. */
  @Roles('manager')
  @Post(':id/check-points')
  @ApiZod({ body: checkPointInputSchema, response: checkPointViewSchema, status: 201 })
  addCheckPoint(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(checkPointInputSchema) body: Out<typeof checkPointInputSchema>,
  ) {
    return this.zones.addCheckPoint(principal, id, body);
  }
}
