import { Module } from '@nestjs/common';
import { TrialAccess } from './trial-access.service.js';
import { TrialChildren } from './trial-children.service.js';
import {
  CriteriaController,
  EnrolmentsController,
  ScenariosController,
  SessionsController,
  SitesController,
  SuppliersController,
  TrialsController,
  WorkersController,
} from './trials.controller.js';
import { RetentionService } from './retention.service.js';
import { TrialsService } from './trials.service.js';

@Module({
  controllers: [
    SuppliersController,
    TrialsController,
    SitesController,
    ScenariosController,
    CriteriaController,
    WorkersController,
    EnrolmentsController,
    SessionsController,
  ],
  providers: [TrialAccess, TrialChildren, TrialsService, RetentionService],
  exports: [TrialAccess],
})
export class TrialsModule {}
