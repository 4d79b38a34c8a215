import { Module } from '@nestjs/common';
import { EvidenceModule } from '../evidence/evidence.module.js';
import { ReportsController, ReportTemplatesController } from './reports.controller.js';
import { ReportsService } from './reports.service.js';

/** Supplier trial reports: versioned templates, validated submissions, versions, reviews and diffs. */
@Module({
  imports: [EvidenceModule],
  controllers: [ReportTemplatesController, ReportsController],
  providers: [ReportsService],
})
export class ReportsModule {}
