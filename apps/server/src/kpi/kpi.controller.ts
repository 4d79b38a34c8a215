import { Controller, Get, Header, Param, ParseUUIDPipe, Post, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZod, ZodBody, ZodQuery } from '../common/zod.js';
import { z } from 'zod';
import {
  checkPointErrorGroupSchema,
  type CheckPointVisitInput,
  checkPointVisitInputSchema,
  checkPointVisitSchema,
  type GroundTruthEnvelope,
  groundTruthEnvelopeSchema,
  groundTruthImportSchema,
  groundTruthInputSchema,
  type KpiQuery,
  kpiQuerySchema,
  type KpiReportQuery,
  reportQuerySchema,
} from './kpi.dto.js';
import { KpiSnapshotService } from './kpi-snapshot.service.js';
import { KpiService } from './kpi.service.js';
import { KpiReportService } from './report/kpi-report.service.js';

/**
 * A trial's measured KPIs, each sliceable (`groupBy`, filters) by supplier, model, firmware, site, environment
 * class, session and phase. Suppliers get their own slice only; another supplier's id answers 404.
 */
@ApiTags('kpis')
@ApiBearerAuth()
@Controller('trials/:trialId')
export class KpiController {
  constructor(
    private readonly kpis: KpiService,
    private readonly reports: KpiReportService,
  ) {}

  /** Every KPI family per slice. */
  @Get('kpis')
  @ApiZod({ query: kpiQuerySchema })
  summary(
    @CurrentPrincipal() principal: Principal,
    @Param('trialId', ParseUUIDPipe) trialId: string,
    @ZodQuery(kpiQuerySchema) query: KpiQuery,
  ) {
    return this.kpis.summary(principal, trialId, query);
  }

  /** Horizontal error of stored fixes against ground-truth positions: median, p95, max, CEP50/95, CDF. */
  @Get('kpis/positioning')
  @ApiZod({ query: kpiQuerySchema })
  positioning(
    @CurrentPrincipal() principal: Principal,
    @Param('trialId', ParseUUIDPipe) trialId: string,
    @ZodQuery(kpiQuerySchema) query: KpiQuery,
  ) {
    return this.kpis.positioning(principal, trialId, query);
  }

  /**
   * Horizontal error of fixes taken while a device was held on a surveyed check point (recorded visits, see
   * `POST /sessions/:sessionId/check-point-visits`): median, p95, max, CEP50/95, CDF.
   */
  @Get('kpis/check-points')
  @ApiZod({ query: kpiQuerySchema, response: z.array(checkPointErrorGroupSchema) })
  checkPoints(
    @CurrentPrincipal() principal: Principal,
    @Param('trialId', ParseUUIDPipe) trialId: string,
    @ZodQuery(kpiQuerySchema) query: KpiQuery,
  ) {
    return this.kpis.checkPoints(principal, trialId, query);
  }

  /** Expected fixes received within the accuracy threshold, fix intervals, dropouts and time to regain. */
  @Get('kpis/availability')
  @ApiZod({ query: kpiQuerySchema })
  availability(
    @CurrentPrincipal() principal: Principal,
    @Param('trialId', ParseUUIDPipe) trialId: string,
    @ZodQuery(kpiQuerySchema) query: KpiQuery,
  ) {
    return this.kpis.availability(principal, trialId, query);
  }

  /**
   * Per true crossing: Lookout's and the device's true, missed and false alerts, and how far past the boundary
   * the worker was when each alerted (`detail=true` lists them).
   */
  @Get('kpis/detection')
  @ApiZod({ query: kpiQuerySchema })
  detection(
    @CurrentPrincipal() principal: Principal,
    @Param('trialId', ParseUUIDPipe) trialId: string,
    @ZodQuery(kpiQuerySchema) query: KpiQuery,
  ) {
    return this.kpis.detection(principal, trialId, query);
  }

  /** Crossing → device alert, crossing → Lookout (event time and decision time), detection → acknowledgement. */
  @Get('kpis/latency')
  @ApiZod({ query: kpiQuerySchema })
  latency(
    @CurrentPrincipal() principal: Principal,
    @Param('trialId', ParseUUIDPipe) trialId: string,
    @ZodQuery(kpiQuerySchema) query: KpiQuery,
  ) {
    return this.kpis.latency(principal, trialId, query);
  }

  /** Uptime, battery hours and sessions run with configuration drift. */
  @Get('kpis/reliability')
  @ApiZod({ query: kpiQuerySchema })
  reliability(
    @CurrentPrincipal() principal: Principal,
    @Param('trialId', ParseUUIDPipe) trialId: string,
    @ZodQuery(kpiQuerySchema) query: KpiQuery,
  ) {
    return this.kpis.reliability(principal, trialId, query);
  }

  /** Each criterion of the trial judged per supplier, with the figure and the KPI endpoint behind it. */
  @Get('criteria-evaluation')
  @ApiZod({ query: reportQuerySchema })
  criteria(
    @CurrentPrincipal() principal: Principal,
    @Param('trialId', ParseUUIDPipe) trialId: string,
    @ZodQuery(reportQuerySchema) query: KpiReportQuery,
  ) {
    return this.kpis.evaluateCriteria(principal, trialId, query.supplierId);
  }

  /** The trial report (per supplier with `supplierId`), self-contained HTML with inline SVG plots. */
  @Get('report/html')
  @Header('content-type', 'text/html; charset=utf-8')
  @ApiProduces('text/html')
  @ApiZod({ query: reportQuerySchema })
  async reportHtml(
    @CurrentPrincipal() principal: Principal,
    @Param('trialId', ParseUUIDPipe) trialId: string,
    @ZodQuery(reportQuerySchema) query: KpiReportQuery,
  ): Promise<string> {
    return this.reports.html(principal, trialId, query.supplierId);
  }

  /** The same report as PDF. */
  @Get('report/pdf')
  @ApiProduces('application/pdf')
  @ApiZod({ query: reportQuerySchema })
  async reportPdf(
    @CurrentPrincipal() principal: Principal,
    @Param('trialId', ParseUUIDPipe) trialId: string,
    @ZodQuery(reportQuerySchema) query: KpiReportQuery,
  ): Promise<StreamableFile> {
    const pdf = await this.reports.pdf(principal, trialId, query.supplierId);
    return new StreamableFile(pdf, {
      type: 'application/pdf',
      disposition: `inline; filename="trial-report.pdf"`,
    });
  }
}

@ApiTags('kpis')
@ApiBearerAuth()
@Controller('ground-truth')
export class GroundTruthController {
  constructor(private readonly kpis: KpiService) {}

  /**
   * Imports a simulators' ground-truth file (`lookout-ground-truth/1`) for a trial (and session). Good rows are
   * stored; each bad row is refused and named in `rejected`. The body may be up to GROUND_TRUTH_MAX_BODY_MB
   * (413 naming the limit beyond it).
   */
  @Roles('manager')
  @Post()
  @ApiZod({ body: groundTruthInputSchema, response: groundTruthImportSchema, status: 201 })
  @ApiResponse({ status: 413, description: 'the body is larger than GROUND_TRUTH_MAX_BODY_MB' })
  import(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(groundTruthEnvelopeSchema) body: GroundTruthEnvelope,
  ) {
    return this.kpis.importGroundTruth(principal, body);
  }
}

@ApiTags('kpis')
@ApiBearerAuth()
@Controller('sessions/:sessionId/check-point-visits')
export class CheckPointVisitsController {
  constructor(private readonly kpis: KpiService) {}

  /** The session's visits to surveyed check points (suppliers: their own devices'). */
  @Get()
  @ApiZod({ response: z.array(checkPointVisitSchema) })
  list(@CurrentPrincipal() principal: Principal, @Param('sessionId', ParseUUIDPipe) sessionId: string) {
    return this.kpis.listVisits(principal, sessionId);
  }

  /**
   * Records that a device was held on a surveyed check point from `from` to `to` during the session; its fixes
   * in that time are scored against the surveyed position (`/trials/:trialId/kpis/check-points`).
   */
  @Roles('manager')
  @Post()
  @ApiZod({ body: checkPointVisitInputSchema, response: checkPointVisitSchema, status: 201 })
  record(
    @CurrentPrincipal() principal: Principal,
    @Param('sessionId', ParseUUIDPipe) sessionId: string,
    @ZodBody(checkPointVisitInputSchema) body: CheckPointVisitInput,
  ) {
    return this.kpis.recordVisit(principal, sessionId, body);
  }
}

@ApiTags('kpis')
@ApiBearerAuth()
@Controller('sessions/:sessionId/kpi-snapshots')
export class KpiSnapshotsController {
  constructor(private readonly snapshots: KpiSnapshotService) {}

  /**
   * The KPI snapshots sealed as evidence when the session completed (one per supplier, one for the whole
   * session; a supplier sees its own), each with its chain hash and content sha256, and the seal's state.
   */
  @Get()
  list(@CurrentPrincipal() principal: Principal, @Param('sessionId', ParseUUIDPipe) sessionId: string) {
    return this.snapshots.list(principal, sessionId);
  }

  /** Each sealed snapshot computed again now, with its own tolerances: identical or not, and every change. */
  @Get('comparison')
  compare(@CurrentPrincipal() principal: Principal, @Param('sessionId', ParseUUIDPipe) sessionId: string) {
    return this.snapshots.compare(principal, sessionId);
  }
}
