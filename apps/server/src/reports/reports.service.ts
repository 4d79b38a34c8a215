import { Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { createTwoFilesPatch, diffLines } from 'diff';
import type { DataSource, EntityManager } from 'typeorm';
import type { z } from 'zod';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainErrorCode, DomainException } from '../common/domain.exception.js';
import { EvidenceService } from '../evidence/evidence.service.js';
import { OwnerScope } from '../evidence/evidence.scope.js';
import {
  renderReportText,
  type ReportSection,
  SUPPLIER_REPORT_SECTIONS_V1,
  SUPPLIER_REPORT_TEMPLATE_NAME,
  validateReportSections,
} from './report.template.js';
import type {
  reportInputSchema,
  reportQuerySchema,
  reportTemplateInputSchema,
  reportVersionInputSchema,
  reviewInputSchema,
} from './reports.dto.js';

export type ReportStatus = 'submitted' | 'changes-requested' | 'resubmitted' | 'accepted';

/**
 * The review workflow: submitted → changes-requested → resubmitted → (changes-requested again) → accepted.
 * Managers review a submitted or resubmitted version; suppliers resubmit only after changes are requested.
 */
const REVIEWABLE: readonly ReportStatus[] = ['submitted', 'resubmitted'];
const RESUBMITTABLE: readonly ReportStatus[] = ['changes-requested'];

interface TemplateRow {
  id: string;
  name: string;
  version: number;
  sections: ReportSection[];
  createdAt: Date;
}
interface ReportRow {
  id: string;
  trialId: string;
  supplierId: string;
  templateId: string;
  title: string;
  status: ReportStatus;
  currentVersion: number;
  createdBy: string;
  createdAt: Date;
  updatedAt: Date;
}
interface VersionRow {
  reportId: string;
  version: number;
  sections: Record<string, unknown>;
  attachmentHashes: string[];
  submittedBy: string;
  submittedAt: Date;
}

const TEMPLATE_COLUMNS = `id, name, version, sections, created_at AS "createdAt"`;
const REPORT_COLUMNS = `id, trial_id AS "trialId", supplier_id AS "supplierId", template_id AS "templateId", title, status,
  current_version AS "currentVersion", created_by AS "createdBy", created_at AS "createdAt", updated_at AS "updatedAt"`;
const VERSION_COLUMNS = `report_id AS "reportId", version, sections, attachment_hashes AS "attachmentHashes",
  submitted_by AS "submittedBy", submitted_at AS "submittedAt"`;

function invalidState(message: string) {
  return new DomainException(DomainErrorCode.InvalidState, message);
}

@Injectable()
export class ReportsService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly owners: OwnerScope,
    private readonly evidence: EvidenceService,
  ) {}

  /** The built-in template exists in every database (idempotent; templates are never edited). */
  async onModuleInit(): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO report_template (name, version, sections) VALUES ($1, 1, $2) ON CONFLICT (name, version) DO NOTHING`,
      [SUPPLIER_REPORT_TEMPLATE_NAME, JSON.stringify(SUPPLIER_REPORT_SECTIONS_V1)],
    );
  }

  // Templates

  listTemplates(): Promise<TemplateRow[]> {
    return this.dataSource.query(`SELECT ${TEMPLATE_COLUMNS} FROM report_template ORDER BY name, version`);
  }

  async getTemplate(id: string): Promise<TemplateRow> {
    const [row] = (await this.dataSource.query(
      `SELECT ${TEMPLATE_COLUMNS} FROM report_template WHERE id = $1`,
      [id],
    )) as TemplateRow[];
    if (!row) throw DomainException.notFound('report template', id);
    return row;
  }

  /** A new version of a named template; earlier versions stay as they were for reports that use them. */
  async createTemplate(input: z.output<typeof reportTemplateInputSchema>): Promise<TemplateRow> {
    const [row] = (await this.dataSource.query(
      `INSERT INTO report_template (name, version, sections)
       SELECT $1, COALESCE(max(version), 0) + 1, $2 FROM report_template WHERE name = $1 RETURNING ${TEMPLATE_COLUMNS}`,
      [input.name, JSON.stringify(input.sections)],
    )) as TemplateRow[];
    return row!;
  }

  private async latestTemplate(): Promise<TemplateRow> {
    const [row] = (await this.dataSource.query(
      `SELECT ${TEMPLATE_COLUMNS} FROM report_template WHERE name = $1 ORDER BY version DESC LIMIT 1`,
      [SUPPLIER_REPORT_TEMPLATE_NAME],
    )) as TemplateRow[];
    return row!;
  }

  private validate(template: TemplateRow, sections: Record<string, unknown>): void {
    const issues = validateReportSections(template.sections, sections);
    if (issues.length) {
      throw new DomainException(
        DomainErrorCode.InvalidInput,
        `the report does not follow template ${template.name} v${template.version}: ${issues.map((issue) => issue.path).join(', ')}`,
        issues,
      );
    }
  }

  // Reports

  async submit(principal: Principal, input: z.output<typeof reportInputSchema>) {
    const supplierId = await this.owners.resolveOwner(principal, input.trialId);
    if (!supplierId)
      throw new DomainException(DomainErrorCode.Forbidden, 'only a supplier submits its report');
    const template = input.templateId
      ? await this.getTemplate(input.templateId)
      : await this.latestTemplate();
    this.validate(template, input.sections);
    await this.evidence.assertAttachmentsOwned(input.trialId, supplierId, input.attachments);
    return this.dataSource.transaction(async (manager) => {
      const [report] = (await manager.query(
        `INSERT INTO report (trial_id, supplier_id, template_id, title, status, current_version, created_by)
         VALUES ($1, $2, $3, $4, 'submitted', 1, $5) RETURNING ${REPORT_COLUMNS}`,
        [input.trialId, supplierId, template.id, input.title, principal.userId],
      )) as ReportRow[];
      await this.insertVersion(manager, report!.id, 1, input.sections, input.attachments, principal.userId);
      return report!;
    });
  }

  private async insertVersion(
    manager: EntityManager,
    reportId: string,
    version: number,
    sections: Record<string, unknown>,
    attachments: string[],
    userId: string,
  ) {
    await manager.query(
      `INSERT INTO report_version (report_id, version, sections, attachment_hashes, submitted_by) VALUES ($1, $2, $3, $4, $5)`,
      [reportId, version, JSON.stringify(sections), attachments, userId],
    );
  }

  /** A report in scope, locked for the rest of the transaction when a manager is given. */
  private async findReport(principal: Principal, id: string, manager?: EntityManager): Promise<ReportRow> {
    const scope = supplierScope(principal);
    const [row] = (await (manager ?? this.dataSource).query(
      `SELECT ${REPORT_COLUMNS} FROM report WHERE id = $1 AND ($2::uuid IS NULL OR supplier_id = $2)${manager ? ' FOR UPDATE' : ''}`,
      [id, scope ?? null],
    )) as ReportRow[];
    if (!row) throw DomainException.notFound('report', id);
    return row;
  }

  async resubmit(principal: Principal, id: string, input: z.output<typeof reportVersionInputSchema>) {
    return this.dataSource.transaction(async (manager) => {
      const report = await this.findReport(principal, id, manager);
      if (principal.role !== 'supplier')
        throw new DomainException(DomainErrorCode.Forbidden, 'only the supplier resubmits');
      if (!RESUBMITTABLE.includes(report.status)) {
        throw invalidState(
          `report ${id} is ${report.status}: a new version is taken only after changes are requested`,
        );
      }
      this.validate(await this.getTemplate(report.templateId), input.sections);
      await this.evidence.assertAttachmentsOwned(report.trialId, report.supplierId, input.attachments);
      const version = report.currentVersion + 1;
      await this.insertVersion(manager, id, version, input.sections, input.attachments, principal.userId);
      const [updated] = (await manager.query(
        `UPDATE report SET status = 'resubmitted', current_version = $2, updated_at = now() WHERE id = $1
         RETURNING ${REPORT_COLUMNS}`,
        [id, version],
      )) as [ReportRow[], number];
      return updated[0]!;
    });
  }

  async review(principal: Principal, id: string, input: z.output<typeof reviewInputSchema>) {
    return this.dataSource.transaction(async (manager) => {
      const report = await this.findReport(principal, id, manager);
      if (!REVIEWABLE.includes(report.status)) {
        throw invalidState(
          `report ${id} is ${report.status}: only a submitted or resubmitted report is reviewed`,
        );
      }
      const template = await this.getTemplate(report.templateId);
      const keys = new Set(['general', ...template.sections.map((section) => section.key)]);
      const issues = Object.keys(input.comments)
        .filter((key) => !keys.has(key))
        .map((key) => ({ path: `comments.${key}`, message: 'not a section of the template (or "general")' }));
      if (issues.length)
        throw new DomainException(DomainErrorCode.InvalidInput, 'comments name unknown sections', issues);
      const [review] = (await manager.query(
        `INSERT INTO review (report_id, version, decision, comments, reviewer_id) VALUES ($1, $2, $3, $4, $5)
         RETURNING id, report_id AS "reportId", version, decision, comments, reviewer_id AS "reviewerId", reviewed_at AS "reviewedAt"`,
        [id, report.currentVersion, input.decision, JSON.stringify(input.comments), principal.userId],
      )) as Record<string, unknown>[];
      await manager.query(`UPDATE report SET status = $2, updated_at = now() WHERE id = $1`, [
        id,
        input.decision,
      ]);
      return { ...review!, status: input.decision };
    });
  }

  async list(principal: Principal, query: z.output<typeof reportQuerySchema>) {
    const values = [supplierScope(principal) ?? null, query.trialId ?? null];
    const where = `($1::uuid IS NULL OR supplier_id = $1) AND ($2::uuid IS NULL OR trial_id = $2)`;
    const items = (await this.dataSource.query(
      `SELECT ${REPORT_COLUMNS} FROM report WHERE ${where} ORDER BY created_at DESC LIMIT $3 OFFSET $4`,
      [...values, query.limit, query.offset],
    )) as ReportRow[];
    const [{ total }] = (await this.dataSource.query(
      `SELECT count(*)::int AS total FROM report WHERE ${where}`,
      values,
    )) as [{ total: number }];
    return { items, total, limit: query.limit, offset: query.offset };
  }

  /** The report with every version's metadata and every review, oldest first. */
  async get(principal: Principal, id: string) {
    const report = await this.findReport(principal, id);
    const versions = (await this.dataSource.query(
      `SELECT version, attachment_hashes AS "attachmentHashes", submitted_by AS "submittedBy", submitted_at AS "submittedAt"
       FROM report_version WHERE report_id = $1 ORDER BY version`,
      [id],
    )) as unknown[];
    const reviews = (await this.dataSource.query(
      `SELECT id, version, decision, comments, reviewer_id AS "reviewerId", reviewed_at AS "reviewedAt"
       FROM review WHERE report_id = $1 ORDER BY reviewed_at`,
      [id],
    )) as unknown[];
    return { ...report, versions, reviews };
  }

  async getVersion(principal: Principal, id: string, version: number): Promise<VersionRow> {
    await this.findReport(principal, id);
    const [row] = (await this.dataSource.query(
      `SELECT ${VERSION_COLUMNS} FROM report_version WHERE report_id = $1 AND version = $2`,
      [id, version],
    )) as VersionRow[];
    if (!row) throw DomainException.notFound('report version', `${id} v${version}`);
    return row;
  }

  /** A unified diff between two versions, rendered section by section, and which sections changed. */
  async diff(principal: Principal, id: string, from: number, to: number) {
    const report = await this.findReport(principal, id);
    const template = await this.getTemplate(report.templateId);
    const [a, b] = [await this.getVersion(principal, id, from), await this.getVersion(principal, id, to)];
    const before = renderReportText(template.sections, a.sections);
    const after = renderReportText(template.sections, b.sections);
    const changedSections = template.sections
      .filter(
        (section) => renderReportText([section], a.sections) !== renderReportText([section], b.sections),
      )
      .map((section) => section.key);
    const changes = diffLines(before, after);
    return {
      reportId: id,
      from,
      to,
      changedSections,
      linesAdded: changes
        .filter((change) => change.added)
        .reduce((sum, change) => sum + (change.count ?? 0), 0),
      linesRemoved: changes
        .filter((change) => change.removed)
        .reduce((sum, change) => sum + (change.count ?? 0), 0),
      patch: createTwoFilesPatch(`v${from}`, `v${to}`, before, after),
    };
  }
}
