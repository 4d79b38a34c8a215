import { Module } from '@nestjs/common';
import { EvidenceModule } from '../evidence/evidence.module.js';
import { TrialsModule } from '../trials/trials.module.js';
import { FeedbackController } from './feedback.controller.js';
import { FeedbackService } from './feedback.service.js';

/** Worker feedback: survey templates, pseudonymous responses per session, small-group-suppressed aggregates. */
@Module({
  imports: [TrialsModule, EvidenceModule],
  controllers: [FeedbackController],
  providers: [FeedbackService],
})
export class FeedbackModule {}
