import { Injectable } from '@nestjs/common';
import type { Principal } from '../../auth/principal.js';
import { PdfRenderer } from '../../rendering/pdf.renderer.js';
import { kpiQuerySchema } from '../kpi.dto.js';
import { KpiRepository } from '../kpi.repository.js';
import { KpiService } from '../kpi.service.js';
import { renderKpiReport, type ReportData } from './kpi-report.html.js';

/** Gathers the measured KPIs of a trial (or one supplier in it) and renders the trial report. */
@Injectable()
export class KpiReportService {
  constructor(
    private readonly kpis: KpiService,
    private readonly repository: KpiRepository,
    private readonly pdfRenderer: PdfRenderer,
  ) {}

  async data(principal: Principal, trialId: string, supplierId?: string): Promise<ReportData> {
    const query = await this.kpis.scoped(principal, trialId, { ...kpiQuerySchema.parse({}), supplierId });
    const [supplier] = query.supplierId ? await this.repository.suppliers(trialId, query.supplierId) : [];
    const [context, criteria, bySupplier, availabilityBySite, byDevice, detail] = await Promise.all([
      this.repository.trialContext(trialId, query.supplierId),
      this.kpis.evaluateCriteria(principal, trialId, query.supplierId),
      this.kpis.summary(principal, trialId, { ...query, groupBy: 'supplier' }),
      this.repository.availability(trialId, { ...query, groupBy: 'site' }),
      this.repository.detection(trialId, { ...query, groupBy: 'device' }),
      this.repository.crossings(trialId, { ...query, groupBy: 'device' }),
    ]);
    const iso = (value: unknown) => (value instanceof Date ? value.toISOString() : String(value));
    return {
      generatedAt: new Date().toISOString(),
      trial: {
        id: context.trial!.id,
        name: context.trial!.name,
        sponsor: context.trial!.sponsor,
        status: context.trial!.status,
        dpiaReference: context.trial!.dpia_reference,
      },
      supplier: supplier ?? null,
      sessions: context.sessions.map((s) => ({
        site: String(s.site),
        environment: String(s.environment),
        scenario: (s.scenario as string | null) ?? null,
        status: String(s.status),
        start: iso(s.start_time),
        end: iso(s.end_time),
        devices: Number(s.devices),
      })),
      configurations: context.configurations,
      criteria,
      bySupplier,
      availabilityBySite,
      byDevice,
      crossings: detail.crossings,
      falseAlerts: detail.falseAlerts,
      provenance: context.provenance,
    };
  }

  async html(principal: Principal, trialId: string, supplierId?: string): Promise<string> {
    return renderKpiReport(await this.data(principal, trialId, supplierId));
  }

  async pdf(principal: Principal, trialId: string, supplierId?: string): Promise<Buffer> {
    return this.pdfRenderer.render(await this.html(principal, trialId, supplierId));
  }
}
