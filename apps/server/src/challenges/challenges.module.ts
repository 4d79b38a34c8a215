import { Module } from '@nestjs/common';
import {
  ChallengesController,
  CompetitionPhasesController,
  CompetitionsController,
  SubmissionsController,
} from './challenges.controller.js';
import { NoticesService } from './challenges.notices.js';
import { ChallengesRepository } from './challenges.repository.js';
import { ChallengesService } from './challenges.service.js';
import { CompetitionsService } from './competitions.service.js';
import { SubmissionsService } from './submissions.service.js';

/** Challenge-led procurement: challenge → competition → submissions → jury → selection → trial → outcome. */
@Module({
  controllers: [
    ChallengesController,
    CompetitionsController,
    CompetitionPhasesController,
    SubmissionsController,
  ],
  providers: [
    ChallengesRepository,
    CompetitionsService,
    SubmissionsService,
    ChallengesService,
    NoticesService,
  ],
})
export class ChallengesModule {}
