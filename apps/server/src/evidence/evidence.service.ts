import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { z } from 'zod';
import { TrlError, TrlRegistry } from '../../../../libs/trl/src/index.js';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainErrorCode, DomainException, type FieldIssue } from '../common/domain.exception.js';
import { TrialAccess } from '../trials/trial-access.service.js';
import { firstBrokenLink, type BrokenLink } from './evidence.chain.js';
import { MANAGER_ONLY_TYPES, type evidenceInputSchema, type evidenceQuerySchema } from './evidence.dto.js';
import { EvidenceRepository } from './evidence.repository.js';
import { OwnerScope } from './evidence.scope.js';

export interface ChainVerification {
  ok: boolean;
  trialsChecked: number;
  itemsChecked: number;
  /** The first link that does not hold, per broken trial chain. */
  broken: (BrokenLink & { trialId: string })[];
  firstBroken: (BrokenLink & { trialId: string }) | null;
}

function invalid(issues: FieldIssue[]): DomainException {
  return new DomainException(
    DomainErrorCode.InvalidInput,
    issues.map((issue) => `${issue.path}: ${issue.message}`).join('; '),
    issues,
  );
}

@Injectable()
export class EvidenceService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly repository: EvidenceRepository,
    private readonly owners: OwnerScope,
    private readonly access: TrialAccess,
    private readonly trl: TrlRegistry,
  ) {}

  async append(principal: Principal, input: z.output<typeof evidenceInputSchema>) {
    if (principal.role === 'supplier' && MANAGER_ONLY_TYPES.includes(input.type)) {
      throw new DomainException(
        DomainErrorCode.Forbidden,
        `${input.type} evidence is measured by Lookout: only managers seal it`,
      );
    }
    let deviceModelId = input.deviceModelId ?? null;
    let supplierId = input.supplierId ?? null;
    const issues: FieldIssue[] = [];
    if (input.deviceConfigId) {
      const [config] = (await this.dataSource.query(
        `SELECT d.model_id AS "modelId" FROM device_config c JOIN device d ON d.id = c.device_id WHERE c.id = $1`,
        [input.deviceConfigId],
      )) as { modelId: string | null }[];
      if (!config)
        issues.push({
          path: 'deviceConfigId',
          message: `device configuration ${input.deviceConfigId} not found`,
        });
      else if (deviceModelId && config.modelId !== deviceModelId) {
        issues.push({
          path: 'deviceConfigId',
          message: `configuration is of model ${config.modelId}, not ${deviceModelId}`,
        });
      } else deviceModelId = config.modelId;
    }
    if (deviceModelId) {
      const [model] = (await this.dataSource.query(
        `SELECT supplier_id AS "supplierId" FROM device_model WHERE id = $1`,
        [deviceModelId],
      )) as { supplierId: string }[];
      const scope = supplierScope(principal);
      if (!model || (scope !== undefined && model.supplierId !== scope)) {
        issues.push({ path: 'deviceModelId', message: `device model ${deviceModelId} not found` });
      } else if (supplierId && model.supplierId !== supplierId) {
        issues.push({
          path: 'deviceModelId',
          message: `device model belongs to supplier ${model.supplierId}`,
        });
      } else supplierId = model.supplierId;
    }
    if (input.scaleId) {
      try {
        const scale = this.trl.scale(input.scaleId);
        if (input.level !== undefined && !scale.levels.some((level) => level.level === input.level)) {
          issues.push({ path: 'level', message: `scale ${scale.id} has no level ${input.level}` });
        }
      } catch (error) {
        if (!(error instanceof TrlError)) throw error;
        issues.push({ path: 'scaleId', message: error.message });
      }
    }
    if (issues.length) throw invalid(issues);
    const owner = await this.owners.resolveOwner(principal, input.trialId, supplierId);
    await this.assertAttachmentsOwned(input.trialId, owner, input.attachments);
    return this.repository.append(
      {
        type: input.type,
        trialId: input.trialId,
        supplierId: owner,
        deviceModelId,
        deviceConfigId: input.deviceConfigId ?? null,
        config: input.config ?? null,
        scaleId: input.scaleId ?? null,
        level: input.level ?? null,
        criterionId: input.criterionId ?? null,
        authorId: principal.userId,
        content: input.content,
      },
      input.attachments,
    );
  }

  /** Each hash must be an attachment uploaded to the same trial by the same owner. */
  async assertAttachmentsOwned(trialId: string, owner: string | null, hashes: readonly string[]) {
    if (hashes.length === 0) return;
    const rows = (await this.dataSource.query(
      `SELECT DISTINCT sha256 FROM attachment WHERE trial_id = $1 AND supplier_id IS NOT DISTINCT FROM $2
         AND sha256 = ANY($3)`,
      [trialId, owner, hashes],
    )) as { sha256: string }[];
    const found = new Set(rows.map((row) => row.sha256));
    const issues = hashes.flatMap((hash, index) =>
      found.has(hash)
        ? []
        : [{ path: `attachments.${index}`, message: `no attachment ${hash} in this trial for this owner` }],
    );
    if (issues.length) throw invalid(issues);
  }

  async list(principal: Principal, query: z.output<typeof evidenceQuerySchema>) {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const add = (sql: string, value: unknown) => {
      values.push(value);
      conditions.push(sql.replace('?', `$${values.length}`));
    };
    const scope = supplierScope(principal);
    if (scope !== undefined) add('supplier_id = ?', scope);
    if (query.trialId) add('trial_id = ?', query.trialId);
    if (query.supplierId) add('supplier_id = ?', query.supplierId);
    if (query.deviceModelId) add('device_model_id = ?', query.deviceModelId);
    if (query.type) add('type = ?', query.type);
    return this.repository.list(conditions.join(' AND ') || 'TRUE', values, query.limit, query.offset);
  }

  async get(principal: Principal, id: string) {
    const item = await this.repository.findById(id);
    const scope = supplierScope(principal);
    if (!item || (scope !== undefined && item.supplierId !== scope))
      throw DomainException.notFound('evidence', id);
    return item;
  }

  /** Recomputes every hash of one trial's chain (or every trial's) and names the first broken link. */
  async verify(principal: Principal, trialId?: string): Promise<ChainVerification> {
    if (trialId) await this.access.assertTrialVisible(principal, trialId);
    const trialIds = trialId ? [trialId] : await this.repository.trialIdsWithEvidence();
    const broken: ChainVerification['broken'] = [];
    let itemsChecked = 0;
    for (const id of trialIds) {
      const links = await this.repository.chain(id);
      itemsChecked += links.length;
      const link = firstBrokenLink(links);
      if (link) broken.push({ trialId: id, ...link });
    }
    return {
      ok: broken.length === 0,
      trialsChecked: trialIds.length,
      itemsChecked,
      broken,
      firstBroken: broken[0] ?? null,
    };
  }
}
