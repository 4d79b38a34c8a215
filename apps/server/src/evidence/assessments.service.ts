import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import {
  assessLevel,
  type CriterionResponse,
  TrlError,
  TrlRegistry,
} from '../../../../libs/trl/src/index.js';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainErrorCode, DomainException, type FieldIssue } from '../common/domain.exception.js';
import { TrialAccess } from '../trials/trial-access.service.js';
import type { assessmentInputSchema, assessmentQuerySchema } from './evidence.dto.js';

interface AssessmentRow {
  id: string;
  deviceModelId: string;
  supplierId: string;
  trialId: string | null;
  deviceConfigId: string | null;
  config: Record<string, string> | null;
  scaleId: string;
  criteriaSetId: string;
  claimedLevel: number;
  levelReached: number;
  responses: { criterionId: string; response: CriterionResponse; evidenceIds: string[]; note?: string }[];
  assessorId: string;
  assessedAt: Date;
  notes: string;
  createdAt: Date;
}

const COLUMNS = `id, device_model_id AS "deviceModelId", supplier_id AS "supplierId", trial_id AS "trialId",
  device_config_id AS "deviceConfigId", config, scale_id AS "scaleId", criteria_set_id AS "criteriaSetId",
  claimed_level AS "claimedLevel", level_reached AS "levelReached", responses, assessor_id AS "assessorId",
  assessed_at AS "assessedAt", notes, created_at AS "createdAt"`;

function invalid(issues: FieldIssue[]): DomainException {
  return new DomainException(
    DomainErrorCode.InvalidInput,
    issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
    issues,
  );
}

/** TRL assessments: recorded once, never edited; a re-assessment is a new record. */
@Injectable()
export class AssessmentsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly access: TrialAccess,
    private readonly trl: TrlRegistry,
  ) {}

  async create(principal: Principal, input: z.output<typeof assessmentInputSchema>) {
    let set;
    try {
      set = this.trl.criteriaSet(input.criteriaSetId);
    } catch (error) {
      if (error instanceof TrlError) throw invalid([{ path: 'criteriaSetId', message: error.message }]);
      throw error;
    }
    const scale = this.trl.scale(set.scaleId);
    const issues: FieldIssue[] = [];
    if (!scale.levels.some((level) => level.level === input.claimedLevel)) {
      issues.push({ path: 'claimedLevel', message: `scale ${scale.id} has no level ${input.claimedLevel}` });
    }
    const [model] = (await this.dataSource.query(
      `SELECT supplier_id AS "supplierId" FROM device_model WHERE id = $1`,
      [input.deviceModelId],
    )) as { supplierId: string }[];
    if (!model) throw DomainException.notFound('device model', input.deviceModelId);
    if (input.trialId) await this.access.assertTrialVisible(principal, input.trialId);
    if (input.deviceConfigId) {
      const [config] = (await this.dataSource.query(
        `SELECT d.model_id AS "modelId" FROM device_config c JOIN device d ON d.id = c.device_id WHERE c.id = $1`,
        [input.deviceConfigId],
      )) as { modelId: string | null }[];
      if (!config || config.modelId !== input.deviceModelId) {
        issues.push({
          path: 'deviceConfigId',
          message: `no configuration ${input.deviceConfigId} of this device model`,
        });
      }
    }
    const known = new Set(set.criteria.map((criterion) => criterion.id));
    const seen = new Set<string>();
    const responses: Record<string, CriterionResponse> = {};
    const evidenceIds = new Set<string>();
    input.responses.forEach((response, index) => {
      if (!known.has(response.criterionId)) {
        issues.push({
          path: `responses.${index}.criterionId`,
          message: `${response.criterionId} is not in ${set.id}`,
        });
      } else if (seen.has(response.criterionId)) {
        issues.push({
          path: `responses.${index}.criterionId`,
          message: `${response.criterionId} answered twice`,
        });
      }
      seen.add(response.criterionId);
      responses[response.criterionId] = response.response;
      response.evidenceIds.forEach((id) => evidenceIds.add(id));
    });
    if (evidenceIds.size > 0) {
      // Linked evidence must exist and be about this supplier's product.
      const rows = (await this.dataSource.query(
        `SELECT id FROM evidence WHERE id = ANY($1) AND supplier_id = $2`,
        [[...evidenceIds], model.supplierId],
      )) as { id: string }[];
      const found = new Set(rows.map((row) => row.id));
      input.responses.forEach((response, index) =>
        response.evidenceIds.forEach((id, position) => {
          if (!found.has(id)) {
            issues.push({
              path: `responses.${index}.evidenceIds.${position}`,
              message: `no evidence ${id} for this supplier`,
            });
          }
        }),
      );
    }
    if (issues.length) throw invalid(issues);
    const result = assessLevel(set, responses, input.claimedLevel);
    const [row] = (await this.dataSource.query(
      `INSERT INTO assessment (device_model_id, supplier_id, trial_id, device_config_id, config, scale_id, criteria_set_id,
         claimed_level, level_reached, responses, assessor_id, assessed_at, notes)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING ${COLUMNS}`,
      [
        input.deviceModelId,
        model.supplierId,
        input.trialId ?? null,
        input.deviceConfigId ?? null,
        input.config ? JSON.stringify(input.config) : null,
        set.scaleId,
        set.id,
        input.claimedLevel,
        result.levelReached,
        JSON.stringify(input.responses),
        principal.userId,
        input.assessedAt ?? new Date(),
        input.notes,
      ],
    )) as AssessmentRow[];
    return { ...row!, result };
  }

  private withResult(row: AssessmentRow) {
    const responses = Object.fromEntries(
      row.responses.map((response) => [response.criterionId, response.response]),
    );
    return {
      ...row,
      result: assessLevel(this.trl.criteriaSet(row.criteriaSetId), responses, row.claimedLevel),
    };
  }

  async list(principal: Principal, query: z.output<typeof assessmentQuerySchema>) {
    const values = [supplierScope(principal) ?? null, query.deviceModelId ?? null, query.trialId ?? null];
    const where = `($1::uuid IS NULL OR supplier_id = $1) AND ($2::uuid IS NULL OR device_model_id = $2)
      AND ($3::uuid IS NULL OR trial_id = $3)`;
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM assessment WHERE ${where} ORDER BY assessed_at, created_at LIMIT $4 OFFSET $5`,
      [...values, query.limit, query.offset],
    )) as AssessmentRow[];
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM assessment WHERE ${where}`,
      values,
    )) as [{ total: number }];
    return {
      items: rows.map((row) => this.withResult(row)),
      total,
      limit: query.limit,
      offset: query.offset,
    };
  }

  async get(principal: Principal, id: string) {
    const scope = supplierScope(principal);
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM assessment WHERE id = $1 AND ($2::uuid IS NULL OR supplier_id = $2)`,
      [id, scope ?? null],
    )) as AssessmentRow[];
    if (!rows[0]) throw DomainException.notFound('assessment', id);
    return this.withResult(rows[0]);
  }

  /** A model's readiness over time: every assessment in date order, e.g. TRL 4 → 5 → 7. */
  async history(principal: Principal, deviceModelId: string) {
    const scope = supplierScope(principal);
    const [model] = (await this.dataSource.query(
      `SELECT id, name, supplier_id AS "supplierId" FROM device_model WHERE id = $1`,
      [deviceModelId],
    )) as { id: string; name: string; supplierId: string }[];
    if (!model || (scope !== undefined && model.supplierId !== scope)) {
      throw DomainException.notFound('device model', deviceModelId);
    }
    const rows = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM assessment WHERE device_model_id = $1 ORDER BY assessed_at, created_at`,
      [deviceModelId],
    )) as AssessmentRow[];
    const progression = rows.map((row) => ({
      assessmentId: row.id,
      assessedAt: row.assessedAt,
      scaleId: row.scaleId,
      claimedLevel: row.claimedLevel,
      levelReached: row.levelReached,
      deviceConfigId: row.deviceConfigId,
      config: row.config,
      assessorId: row.assessorId,
    }));
    return {
      deviceModelId,
      name: model.name,
      currentLevel: progression.at(-1)?.levelReached ?? null,
      path: progression.map((step) => step.levelReached),
      progression,
    };
  }
}
