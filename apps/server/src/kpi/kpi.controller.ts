import { Controller, Get, Header, Param, ParseUUIDPipe, Post, StreamableFile } from '@nestjs/common';
import { ApiBearerAuth, ApiProduces, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZod, ZodBody, ZodQuery } from '../common/zod.js';
import {
  type GroundTruthInput,
  groundTruthImportSchema,
  groundTruthInputSchema,
  type KpiQuery,
  kpiQuerySchema,
  type KpiReportQuery,
  reportQuerySchema,
} from './kpi.dto.js';
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

  /** Per true crossing: Lookout's and the device's true, missed and false alerts (`detail=true` lists them). */
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

  /** Imports a simulators' ground-truth file (`lookout-ground-truth/1`) for a trial (and session). */
  @Roles('manager')
  @Post()
  @ApiZod({ body: groundTruthInputSchema, response: groundTruthImportSchema, status: 201 })
  import(@CurrentPrincipal() principal: Principal, @ZodBody(groundTruthInputSchema) body: GroundTruthInput) {
    return this.kpis.importGroundTruth(principal, body);
  }
}
