import { Module } from '@nestjs/common';
import { TrlRegistry } from '../../../../libs/trl/src/index.js';
import { TrialsModule } from '../trials/trials.module.js';
import { AssessmentsService } from './assessments.service.js';
import { AttachmentStore } from './attachment.store.js';
import { AttachmentsService } from './attachments.service.js';
import {
  AssessmentsController,
  AttachmentsController,
  EvidenceController,
  TrlController,
} from './evidence.controller.js';
import { EvidenceRepository } from './evidence.repository.js';
import { OwnerScope } from './evidence.scope.js';
import { EvidenceService } from './evidence.service.js';

/** The evidence log, attachments by content hash, and TRL assessments. */
@Module({
  imports: [TrialsModule],
  controllers: [EvidenceController, AttachmentsController, AssessmentsController, TrlController],
  providers: [
    { provide: TrlRegistry, useValue: new TrlRegistry() },
    EvidenceRepository,
    EvidenceService,
    OwnerScope,
    AttachmentStore,
    AttachmentsService,
    AssessmentsService,
  ],
  exports: [EvidenceService, EvidenceRepository, OwnerScope, AttachmentsService, TrlRegistry],
})
export class EvidenceModule {}
