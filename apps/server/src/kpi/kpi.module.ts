import { Module } from '@nestjs/common';
import { EvidenceModule } from '../evidence/evidence.module.js';
import { TrialsModule } from '../trials/trials.module.js';
import { KpiSnapshotRepository } from './kpi-snapshot.repository.js';
import { KpiSnapshotService } from './kpi-snapshot.service.js';
import {
  CheckPointVisitsController,
  GroundTruthController,
  KpiController,
  KpiSnapshotsController,
} from './kpi.controller.js';
import { KpiRepository } from './kpi.repository.js';
import { KpiService } from './kpi.service.js';
import { KpiReportService } from './report/kpi-report.service.js';

/**
 * Scoring: ground truth, check-point visits, KPIs in SQL, criteria evaluation, the generated trial report, and
 * each completed session's KPIs sealed as evidence.
 */
@Module({
  imports: [TrialsModule, EvidenceModule],
  controllers: [KpiController, GroundTruthController, CheckPointVisitsController, KpiSnapshotsController],
  providers: [KpiRepository, KpiService, KpiReportService, KpiSnapshotRepository, KpiSnapshotService],
})
export class KpiModule {}
