import { Module } from '@nestjs/common';
import { TrialsModule } from '../trials/trials.module.js';
import { GroundTruthController, KpiController } from './kpi.controller.js';
import { KpiRepository } from './kpi.repository.js';
import { KpiService } from './kpi.service.js';
import { KpiReportService } from './report/kpi-report.service.js';

/** Scoring: ground truth, KPIs in SQL, criteria evaluation and the generated trial report. */
@Module({
  imports: [TrialsModule],
  controllers: [KpiController, GroundTruthController],
  providers: [KpiRepository, KpiService, KpiReportService],
})
export class KpiModule {}
