import {
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Put,
  StreamableFile,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { z } from 'zod';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZod, ZodBody, ZodQuery } from '../common/zod.js';
import type { RenderedNotice } from './challenges.notices.js';
import { NoticesService } from './challenges.notices.js';
import {
  challengeInputSchema,
  challengeQuerySchema,
  challengeUpdateSchema,
  competitionInputSchema,
  competitionQuerySchema,
  criteriaInputSchema,
  declarationInputSchema,
  jurorInputSchema,
  moderationInputSchema,
  noticeQuerySchema,
  outcomeInputSchema,
  phaseUpdateSchema,
  scoresInputSchema,
  selectionInputSchema,
  submissionInputSchema,
  submissionQuerySchema,
} from './challenges.dto.js';
import { ChallengesService } from './challenges.service.js';
import { CompetitionsService } from './competitions.service.js';
import { SubmissionsService } from './submissions.service.js';

type Out<T extends z.ZodType> = z.output<T>;

const file = (notice: RenderedNotice) =>
  new StreamableFile(notice.body, {
    type: notice.mediaType === 'text/html' ? 'text/html; charset=utf-8' : notice.mediaType,
    disposition: `inline; filename="${notice.filename}"`,
  });

@ApiTags('challenges')
@ApiBearerAuth()
@Controller('challenges')
export class ChallengesController {
  constructor(private readonly challenges: ChallengesService) {}

  @Get()
  @ApiZod({ query: challengeQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(challengeQuerySchema) query: Out<typeof challengeQuerySchema>,
  ) {
    return this.challenges.list(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.challenges.get(principal, id);
  }

  /** The whole thread: challenge → competitions → submissions (scoped) → selection → trial → outcome. */
  @Get(':id/thread')
  thread(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.challenges.thread(principal, id);
  }

  @Roles('manager')
  @Post()
  @ApiZod({ body: challengeInputSchema, status: 201 })
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(challengeInputSchema) body: Out<typeof challengeInputSchema>,
  ) {
    return this.challenges.create(principal, body);
  }

  /** Edits a draft, or publishes it (`status: "published"`); a published challenge is fixed. */
  @Roles('manager')
  @Patch(':id')
  @ApiZod({ body: challengeUpdateSchema })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(challengeUpdateSchema) body: Out<typeof challengeUpdateSchema>,
  ) {
    return this.challenges.update(principal, id, body);
  }

  /** Records the closed trial's outcome per selected supplier: results, TRL at exit, recommendation. */
  @Roles('manager')
  @Post(':id/outcomes')
  @ApiZod({ body: outcomeInputSchema, status: 201 })
  outcome(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(outcomeInputSchema) body: Out<typeof outcomeInputSchema>,
  ) {
    return this.challenges.recordOutcome(principal, id, body);
  }
}

@ApiTags('competitions')
@ApiBearerAuth()
@Controller('competitions')
export class CompetitionsController {
  constructor(
    private readonly competitions: CompetitionsService,
    private readonly challenges: ChallengesService,
    private readonly notices: NoticesService,
  ) {}

  @Get()
  @ApiZod({ query: competitionQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(competitionQuerySchema) query: Out<typeof competitionQuerySchema>,
  ) {
    return this.competitions.list(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.competitions.detail(principal, id);
  }

  @Roles('manager')
  @Post()
  @ApiZod({ body: competitionInputSchema, status: 201 })
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(competitionInputSchema) body: Out<typeof competitionInputSchema>,
  ) {
    return this.competitions.create(principal, body);
  }

  /** Replaces the weighted criteria (weights sum to 100); refused (409) once the competition has opened. */
  @Roles('manager')
  @Put(':id/criteria')
  @ApiZod({ body: criteriaInputSchema })
  criteria(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(criteriaInputSchema) body: Out<typeof criteriaInputSchema>,
  ) {
    return this.competitions.replaceCriteria(principal, id, body.criteria);
  }

  @Roles('manager')
  @Post(':id/open')
  @HttpCode(200)
  open(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.competitions.open(principal, id);
  }

  @Roles('manager')
  @Post(':id/close')
  @HttpCode(200)
  close(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.competitions.close(principal, id);
  }

  @Roles('manager', 'viewer')
  @Get(':id/jurors')
  jurors(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.competitions.jurors(principal, id);
  }

  /** Assigns a manager or viewer user to the jury. */
  @Roles('manager')
  @Post(':id/jurors')
  @ApiZod({ body: jurorInputSchema, status: 201 })
  addJuror(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(jurorInputSchema) body: Out<typeof jurorInputSchema>,
  ) {
    return this.competitions.addJuror(principal, id, body.userId);
  }

  /** The calling juror's conflict-of-interest declaration: the supplier ids they are conflicted with. */
  @Roles('manager', 'viewer')
  @Put(':id/jurors/me/declaration')
  @ApiZod({ body: declarationInputSchema })
  declare(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(declarationInputSchema) body: Out<typeof declarationInputSchema>,
  ) {
    return this.competitions.declare(principal, id, body);
  }

  /** Selected submissions become the trial's suppliers and device models, in one transaction. */
  @Roles('manager')
  @Post(':id/selection')
  @ApiZod({ body: selectionInputSchema, status: 201 })
  select(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(selectionInputSchema) body: Out<typeof selectionInputSchema>,
  ) {
    return this.challenges.select(principal, id, body);
  }

  @Get(':id/notice')
  @ApiZod({ query: noticeQuerySchema })
  async notice(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodQuery(noticeQuerySchema) query: Out<typeof noticeQuerySchema>,
  ) {
    return file(await this.notices.contestNotice(principal, id, query.format));
  }

  @Get(':id/results-notice')
  @ApiZod({ query: noticeQuerySchema })
  async resultsNotice(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodQuery(noticeQuerySchema) query: Out<typeof noticeQuerySchema>,
  ) {
    return file(await this.notices.resultsNotice(principal, id, query.format));
  }
}

@ApiTags('competitions')
@ApiBearerAuth()
@Controller('competition-phases')
export class CompetitionPhasesController {
  constructor(
    private readonly competitions: CompetitionsService,
    private readonly submissions: SubmissionsService,
  ) {}

  /** Moves a phase's window, e.g. extends its deadline. */
  @Roles('manager')
  @Patch(':id')
  @ApiZod({ body: phaseUpdateSchema })
  update(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(phaseUpdateSchema) body: Out<typeof phaseUpdateSchema>,
  ) {
    return this.competitions.updatePhase(principal, id, body);
  }

  /** Agreed score and reason for every submission × criterion; afterwards the jurors' scores are unblinded. */
  @Roles('manager')
  @Post(':id/moderation')
  @ApiZod({ body: moderationInputSchema, status: 201 })
  moderate(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(moderationInputSchema) body: Out<typeof moderationInputSchema>,
  ) {
    return this.submissions.moderate(principal, id, body);
  }

  @Roles('manager', 'viewer')
  @Get(':id/ranking')
  ranking(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.submissions.ranking(principal, id);
  }
}

@ApiTags('submissions')
@ApiBearerAuth()
@Controller('submissions')
export class SubmissionsController {
  constructor(private readonly submissions: SubmissionsService) {}

  @Get()
  @ApiZod({ query: submissionQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(submissionQuerySchema) query: Out<typeof submissionQuerySchema>,
  ) {
    return this.submissions.list(principal, query);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.submissions.get(principal, id);
  }

  /** Refused (409) after the phase's deadline, naming the deadline and the time of arrival. */
  @Roles('supplier', 'manager')
  @Post()
  @ApiZod({ body: submissionInputSchema, status: 201 })
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(submissionInputSchema) body: Out<typeof submissionInputSchema>,
  ) {
    return this.submissions.create(principal, body);
  }

  @Get(':id/scores')
  scores(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.submissions.scores(principal, id);
  }

  /** The calling juror's scores (0–10, with a comment) per criterion; 403 if they declared a conflict. */
  @Roles('manager', 'viewer')
  @Put(':id/scores')
  @ApiZod({ body: scoresInputSchema })
  score(
    @CurrentPrincipal() principal: Principal,
    @Param('id', ParseUUIDPipe) id: string,
    @ZodBody(scoresInputSchema) body: Out<typeof scoresInputSchema>,
  ) {
    return this.submissions.score(principal, id, body);
  }
}
