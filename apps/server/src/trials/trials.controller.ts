import { Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZod, pageQuerySchema, ZodBody, ZodQuery } from '../common/zod.js';
import { TrialChildController } from './trial-child.controller.js';
import {
  byTrialQuerySchema,
  criterionInputSchema,
  criterionUpdateSchema,
  enrolmentInputSchema,
  enrolmentQuerySchema,
  enrolmentUpdateSchema,
  scenarioInputSchema,
  scenarioUpdateSchema,
  sessionInputSchema,
  sessionQuerySchema,
  sessionUpdateSchema,
  siteInputSchema,
  siteUpdateSchema,
  supplierInputSchema,
  trialInputSchema,
  trialQuerySchema,
  trialSupplierSchema,
  trialUpdateSchema,
  workerInputSchema,
} from './trials.dto.js';
import { CriterionEntity, ScenarioEntity, SiteEntity } from './trials.entities.js';
import { TrialsService } from './trials.service.js';

type Out<T extends z.ZodType> = z.output<T>;

@ApiTags('suppliers')
@ApiBearerAuth()
@Controller('suppliers')
export class SuppliersController {
  constructor(private readonly trials: TrialsService) {}

  @Get()
  @ApiZod({ query: pageQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(pageQuerySchema) query: Out<typeof pageQuerySchema>,
  ) {
    return this.trials.listSuppliers(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.trials.getSupplier(principal, id);
  }

  @Roles('manager')
  @Post()
  @ApiZod({ body: supplierInputSchema, status: 201 })
  create(@ZodBody(supplierInputSchema) body: Out<typeof supplierInputSchema>) {
    return this.trials.createSupplier(body.name);
  }
}

@ApiTags('trials')
@ApiBearerAuth()
@Controller('trials')
export class TrialsController {
  constructor(private readonly trials: TrialsService) {}

  @Get()
  @ApiZod({ query: trialQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(trialQuerySchema) query: Out<typeof trialQuerySchema>,
  ) {
    return this.trials.listTrials(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.trials.getTrial(principal, id);
  }

  @Roles('manager')
  @Post()
  @ApiZod({ body: trialInputSchema, status: 201 })
  create(@ZodBody(trialInputSchema) body: Out<typeof trialInputSchema>) {
    return this.trials.createTrial(body);
  }

  /** Also moves the trial through draft → active (needs a DPIA reference) → closed. */
  @Roles('manager')
  @Patch(':id')
  @ApiZod({ body: trialUpdateSchema })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(trialUpdateSchema) body: Out<typeof trialUpdateSchema>,
  ) {
    return this.trials.updateTrial(principal, id, body);
  }

  @Roles('manager')
  @Post(':id/suppliers')
  @ApiZod({ body: trialSupplierSchema, status: 201 })
  addSupplier(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(trialSupplierSchema) body: Out<typeof trialSupplierSchema>,
  ) {
    return this.trials.addSupplier(principal, id, body.supplierId);
  }
}

@ApiTags('sites')
@Controller('sites')
export class SitesController extends TrialChildController({
  entity: SiteEntity,
  create: siteInputSchema,
  update: siteUpdateSchema,
}) {}

@ApiTags('scenarios')
@Controller('scenarios')
export class ScenariosController extends TrialChildController({
  entity: ScenarioEntity,
  create: scenarioInputSchema,
  update: scenarioUpdateSchema,
}) {}

/** Criteria are fixed once the trial is active: the database refuses any change after that. */
@ApiTags('criteria')
@Controller('criteria')
export class CriteriaController extends TrialChildController({
  entity: CriterionEntity,
  create: criterionInputSchema,
  update: criterionUpdateSchema,
  deletable: true,
}) {}

@ApiTags('workers')
@ApiBearerAuth()
@Controller('workers')
export class WorkersController {
  constructor(private readonly trials: TrialsService) {}

  @Get()
  @ApiZod({ query: byTrialQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(byTrialQuerySchema) query: Out<typeof byTrialQuerySchema>,
  ) {
    return this.trials.listWorkers(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.trials.getWorker(principal, id);
  }

  /** The code is generated (W-XXXXXX): Lookout never stores a worker's name. */
  @Roles('manager')
  @Post()
  @ApiZod({ body: workerInputSchema, status: 201 })
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(workerInputSchema) body: Out<typeof workerInputSchema>,
  ) {
    return this.trials.createWorker(principal, body.trialId);
  }
}

@ApiTags('enrolments')
@ApiBearerAuth()
@Controller('enrolments')
export class EnrolmentsController {
  constructor(private readonly trials: TrialsService) {}

  @Get()
  @ApiZod({ query: enrolmentQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(enrolmentQuerySchema) query: Out<typeof enrolmentQuerySchema>,
  ) {
    return this.trials.listEnrolments(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.trials.getEnrolment(principal, id);
  }

  /** Managers enrol any device; a supplier enrols its own devices into trials it takes part in. */
  @Roles('manager', 'supplier')
  @Post()
  @ApiZod({ body: enrolmentInputSchema, status: 201 })
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(enrolmentInputSchema) body: Out<typeof enrolmentInputSchema>,
  ) {
    return this.trials.createEnrolment(principal, body);
  }

  @Roles('manager', 'supplier')
  @Patch(':id')
  @ApiZod({ body: enrolmentUpdateSchema })
  end(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(enrolmentUpdateSchema) body: Out<typeof enrolmentUpdateSchema>,
  ) {
    return this.trials.endEnrolment(principal, id, body.validTo);
  }
}

@ApiTags('sessions')
@ApiBearerAuth()
@Controller('sessions')
export class SessionsController {
  constructor(private readonly trials: TrialsService) {}

  @Get()
  @ApiZod({ query: sessionQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(sessionQuerySchema) query: Out<typeof sessionQuerySchema>,
  ) {
    return this.trials.listSessions(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.trials.getSession(principal, id);
  }

  @Roles('manager')
  @Post()
  @ApiZod({ body: sessionInputSchema, status: 201 })
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(sessionInputSchema) body: Out<typeof sessionInputSchema>,
  ) {
    return this.trials.createSession(principal, body);
  }

  /** Reschedules a planned session, or moves it planned → running → completed (or aborted). */
  @Roles('manager')
  @Patch(':id')
  @ApiZod({ body: sessionUpdateSchema })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(sessionUpdateSchema) body: Out<typeof sessionUpdateSchema>,
  ) {
    return this.trials.updateSession(principal, id, body);
  }
}
