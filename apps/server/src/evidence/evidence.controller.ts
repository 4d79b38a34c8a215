import {
  Controller,
  Get,
  Param,
  ParseUUIDPipe,
  Post,
  Res,
  StreamableFile,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileInterceptor } from '@nestjs/platform-express';
import { ApiBearerAuth, ApiConsumes, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { z } from 'zod';
import { TrlRegistry } from '../../../../libs/trl/src/index.js';
import { CurrentPrincipal, Roles } from '../auth/auth.decorators.js';
import type { Principal } from '../auth/principal.js';
import { ApiZod, ZodBody, ZodQuery } from '../common/zod.js';
import { MAX_ATTACHMENT_BYTES } from './attachment.sniff.js';
import { AssessmentsService } from './assessments.service.js';
import { AttachmentsService, type UploadedPart } from './attachments.service.js';
import {
  assessmentInputSchema,
  assessmentQuerySchema,
  attachmentInputSchema,
  attachmentQuerySchema,
  evidenceInputSchema,
  evidenceQuerySchema,
  sha256Schema,
  verifyQuerySchema,
} from './evidence.dto.js';
import { EvidenceService } from './evidence.service.js';
import { ZodValidationPipe } from '../common/zod.js';

type Out<T extends z.ZodType> = z.output<T>;

@ApiTags('evidence')
@ApiBearerAuth()
@Controller('evidence')
export class EvidenceController {
  constructor(private readonly evidence: EvidenceService) {}

  @Get()
  @ApiZod({ query: evidenceQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(evidenceQuerySchema) query: Out<typeof evidenceQuerySchema>,
  ) {
    return this.evidence.list(principal, query);
  }

  /** Recomputes the hash chain; `firstBroken` names the first item whose stored hash does not hold. */
  @Roles('manager', 'viewer')
  @Get('verify')
  @ApiZod({ query: verifyQuerySchema })
  verify(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(verifyQuerySchema) query: Out<typeof verifyQuerySchema>,
  ) {
    return this.evidence.verify(principal, query.trialId);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.evidence.get(principal, id);
  }

  /** Appends to the trial's chain. A KPI snapshot is sealed the same way, with type `kpi-snapshot`. */
  @Roles('manager', 'supplier')
  @Post()
  @ApiZod({ body: evidenceInputSchema, status: 201 })
  append(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(evidenceInputSchema) body: Out<typeof evidenceInputSchema>,
  ) {
    return this.evidence.append(principal, body);
  }
}

@ApiTags('attachments')
@ApiBearerAuth()
@Controller('attachments')
export class AttachmentsController {
  constructor(private readonly attachments: AttachmentsService) {}

  /** Multipart: part `file`, fields `trialId`, optional `supplierId` and `mediaType`. The type is sniffed. */
  @Roles('manager', 'supplier')
  @Post()
  @ApiConsumes('multipart/form-data')
  @UseInterceptors(
    FileInterceptor('file', { limits: { fileSize: MAX_ATTACHMENT_BYTES, files: 1, fields: 10 } }),
  )
  upload(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(attachmentInputSchema) body: Out<typeof attachmentInputSchema>,
    @UploadedFile() file: UploadedPart | undefined,
  ) {
    return this.attachments.upload(principal, body, file);
  }

  @Get()
  @ApiZod({ query: attachmentQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(attachmentQuerySchema) query: Out<typeof attachmentQuerySchema>,
  ) {
    return this.attachments.list(principal, query);
  }

  @Get(':sha256')
  get(
    @CurrentPrincipal() principal: Principal,
    @Param('sha256', new ZodValidationPipe(sha256Schema, 'body')) sha256: string,
  ) {
    return this.attachments.find(principal, sha256);
  }

  @Get(':sha256/content')
  async download(
    @CurrentPrincipal() principal: Principal,
    @Param('sha256', new ZodValidationPipe(sha256Schema, 'body')) sha256: string,
    @Res({ passthrough: true }) response: Response,
  ): Promise<StreamableFile> {
    const { record, stream } = await this.attachments.open(principal, sha256);
    response.setHeader('X-Content-Type-Options', 'nosniff');
    return new StreamableFile(stream, {
      type: record.mediaType,
      length: record.sizeBytes,
      disposition: `attachment; filename="${record.filename.replace(/[^\w.-]/g, '_')}"`,
    });
  }
}

@ApiTags('assessments')
@ApiBearerAuth()
@Controller('assessments')
export class AssessmentsController {
  constructor(private readonly assessments: AssessmentsService) {}

  @Get()
  @ApiZod({ query: assessmentQuerySchema })
  list(
    @CurrentPrincipal() principal: Principal,
    @ZodQuery(assessmentQuerySchema) query: Out<typeof assessmentQuerySchema>,
  ) {
    return this.assessments.list(principal, query);
  }

  /** A device model's progression: every assessment in date order with the level it reached. */
  @Get('history/:deviceModelId')
  history(
    @CurrentPrincipal() principal: Principal,
    @Param('deviceModelId', ParseUUIDPipe) deviceModelId: string,
  ) {
    return this.assessments.history(principal, deviceModelId);
  }

  @Get(':id')
  get(@CurrentPrincipal() principal: Principal, @Param('id', ParseUUIDPipe) id: string) {
    return this.assessments.get(principal, id);
  }

  /** The server computes `levelReached` from the responses (libs/trl); the record is then immutable. */
  @Roles('manager')
  @Post()
  @ApiZod({ body: assessmentInputSchema, status: 201 })
  create(
    @CurrentPrincipal() principal: Principal,
    @ZodBody(assessmentInputSchema) body: Out<typeof assessmentInputSchema>,
  ) {
    return this.assessments.create(principal, body);
  }
}

@ApiTags('trl')
@ApiBearerAuth()
@Controller('trl')
export class TrlController {
  constructor(private readonly trl: TrlRegistry) {}

  @Get('scales')
  scales() {
    return this.trl.listScales();
  }

  @Get('criteria-sets')
  criteriaSets() {
    return this.trl.listCriteriaSets();
  }
}
