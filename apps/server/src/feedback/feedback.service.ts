import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainErrorCode, DomainException } from '../common/domain.exception.js';
import { OwnerScope } from '../evidence/evidence.scope.js';
import { TrialAccess } from '../trials/trial-access.service.js';
import type { aggregateQuerySchema, feedbackInputSchema, feedbackQuerySchema } from './feedback.dto.js';
import {
  aggregateAnswers,
  MIN_GROUP_SIZE,
  type SurveyItem,
  validateAnswers,
  WORKER_SURVEY_ITEMS_V1,
  WORKER_SURVEY_NAME,
} from './feedback.survey.js';

interface TemplateRow {
  id: string;
  name: string;
  version: number;
  items: SurveyItem[];
}

const TEMPLATE_COLUMNS = `id, name, version, items`;
const FEEDBACK_COLUMNS = `id, template_id AS "templateId", trial_id AS "trialId", session_id AS "sessionId",
  worker_id AS "workerId", supplier_id AS "supplierId", answers, recorded_by AS "recordedBy", created_at AS "createdAt"`;

@Injectable()
export class FeedbackService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly owners: OwnerScope,
    private readonly access: TrialAccess,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO survey_template (name, version, items) VALUES ($1, 1, $2) ON CONFLICT (name, version) DO NOTHING`,
      [WORKER_SURVEY_NAME, JSON.stringify(WORKER_SURVEY_ITEMS_V1)],
    );
  }

  listTemplates(): Promise<TemplateRow[]> {
    return this.dataSource.query(`SELECT ${TEMPLATE_COLUMNS} FROM survey_template ORDER BY name, version`);
  }

  private async template(id?: string): Promise<TemplateRow> {
    const [row] = (await (id
      ? this.dataSource.query(`SELECT ${TEMPLATE_COLUMNS} FROM survey_template WHERE id = $1`, [id])
      : this.dataSource.query(
          `SELECT ${TEMPLATE_COLUMNS} FROM survey_template WHERE name = $1 ORDER BY version DESC LIMIT 1`,
          [WORKER_SURVEY_NAME],
        ))) as TemplateRow[];
    if (!row) throw DomainException.notFound('survey template', id ?? WORKER_SURVEY_NAME);
    return row;
  }

  /** Records one worker's answers for one session; the worker must belong to the session's trial. */
  async record(principal: Principal, input: z.output<typeof feedbackInputSchema>) {
    const template = await this.template(input.templateId);
    const [session] = (await this.dataSource.query(
      `SELECT trial_id AS "trialId" FROM session WHERE id = $1`,
      [input.sessionId],
    )) as { trialId: string }[];
    if (!session) throw DomainException.notFound('session', input.sessionId);
    const supplierId = await this.owners.resolveOwner(principal, session.trialId, input.supplierId);
    const issues = validateAnswers(template.items, input.answers);
    const workers = (await this.dataSource.query(`SELECT 1 FROM worker WHERE id = $1 AND trial_id = $2`, [
      input.workerId,
      session.trialId,
    ])) as unknown[];
    if (workers.length === 0)
      issues.push({ path: 'workerId', message: "no such worker in the session's trial" });
    if (issues.length) {
      throw new DomainException(
        DomainErrorCode.InvalidInput,
        issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
        issues,
      );
    }
    const [row] = (await this.dataSource.query(
      `INSERT INTO feedback (template_id, trial_id, session_id, worker_id, supplier_id, answers, recorded_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${FEEDBACK_COLUMNS}`,
      [
        template.id,
        session.trialId,
        input.sessionId,
        input.workerId,
        supplierId,
        JSON.stringify(input.answers),
        principal.userId,
      ],
    )) as Record<string, unknown>[];
    return row!;
  }

  /** Raw responses (with free text): managers only, at the controller. */
  async list(principal: Principal, query: z.output<typeof feedbackQuerySchema>) {
    await this.access.assertTrialVisible(principal, query.trialId);
    const items = (await this.dataSource.query(
      `SELECT ${FEEDBACK_COLUMNS} FROM feedback WHERE trial_id = $1 ORDER BY created_at LIMIT $2 OFFSET $3`,
      [query.trialId, query.limit, query.offset],
    )) as unknown[];
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM feedback WHERE trial_id = $1`,
      [query.trialId],
    )) as [{ total: number }];
    return { items, total, limit: query.limit, offset: query.offset };
  }

  /** Per-question mean and distribution; any group under five responses is suppressed. Suppliers see their own. */
  async aggregates(principal: Principal, query: z.output<typeof aggregateQuerySchema>) {
    await this.access.assertTrialVisible(principal, query.trialId);
    const scope = supplierScope(principal);
    if (scope !== undefined && query.supplierId && query.supplierId !== scope) {
      throw DomainException.notFound('supplier', query.supplierId);
    }
    const supplierId = scope ?? query.supplierId ?? null;
    const template = await this.template(query.templateId);
    const rows = (await this.dataSource.query(
      `SELECT answers FROM feedback WHERE template_id = $1 AND trial_id = $2
         AND ($3::uuid IS NULL OR supplier_id = $3) AND ($4::uuid IS NULL OR session_id = $4)`,
      [template.id, query.trialId, supplierId, query.sessionId ?? null],
    )) as { answers: Record<string, unknown> }[];
    const suppressed = rows.length < MIN_GROUP_SIZE;
    return {
      trialId: query.trialId,
      templateId: template.id,
      supplierId,
      sessionId: query.sessionId ?? null,
      minGroupSize: MIN_GROUP_SIZE,
      // The group's size is itself hidden when it is too small.
      responses: suppressed ? null : rows.length,
      suppressed,
      questions: aggregateAnswers(
        template.items,
        rows.map((row) => row.answers),
      ),
    };
  }
}
