import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { z } from 'zod';
import type { Principal } from '../auth/principal.js';
import { DomainErrorCode, DomainException } from '../common/domain.exception.js';
import type { Page } from '../common/zod.js';
import { TrialAccess } from '../trials/trial-access.service.js';
import { BREACH_CHECK, type BreachCheck } from './breach-check.js';
import { CheckPointRepository, type CheckPoint } from './check-point.repository.js';
import { contradictions, judgeCheckPoint, type VersionGeometry } from './check-point.rule.js';
import { parseZoneImport } from './zone-import.js';
import {
  zoneInputSchema,
  type CheckPointInput,
  type CheckPointView,
  type ZoneImportRequest,
  type ZoneInput,
  type ZoneVersionContent,
  type ZoneVersionView,
  type ZoneView,
  type zoneQuerySchema,
} from './zone.dto.js';
import { ZoneEntity, ZoneVersionEntity, type PublishedZone } from './zone.entity.js';

type ZoneQuery = z.output<typeof zoneQuerySchema>;
type NewZone = z.output<typeof zoneInputSchema>;

function invalid(path: string, message: string): DomainException {
  return new DomainException(DomainErrorCode.InvalidInput, message, [{ path, message }]);
}

export function toVersionView(version: ZoneVersionEntity): ZoneVersionView {
  return {
    zoneId: version.zoneId,
    version: version.version,
    kind: version.kind,
    geometry: version.geometry,
    halfWidthM: version.halfWidthM,
    appliesTo: version.appliesTo,
    windows: version.windows,
    provenance: {
      source: version.source,
      author: version.author,
      method: version.method,
      notes: version.notes,
      createdBy: version.createdBy,
    },
    createdAt: version.createdAt.toISOString(),
  };
}

export function toZoneView(zone: ZoneEntity, version: ZoneVersionEntity): ZoneView {
  return {
    id: zone.id,
    name: zone.name,
    trialId: zone.trialId,
    siteId: zone.siteId,
    currentVersion: zone.currentVersion,
    createdAt: zone.createdAt.toISOString(),
    updatedAt: zone.updatedAt.toISOString(),
    version: toVersionView(version),
  };
}

function toCheckPointView(point: CheckPoint, current: VersionGeometry): CheckPointView {
  const { agrees, signedDistanceM } = judgeCheckPoint(point, current);
  return { ...point, current: { version: current.version, signedDistanceM, agrees } };
}

/**
 * Zones and their immutable versions. A zone row holds identity and the pointer to its published version;
 * publishing inserts a new version (never updates one), refuses a version that contradicts the zone's
 * surveyed check points, and then hands the running detector the new zone set.
 */
@Injectable()
export class ZonesService implements OnModuleInit {
  /** Detector updates run one after another, so the last one applied always saw the last commit. */
  private detectorUpdates: Promise<void> = Promise.resolve();

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(BREACH_CHECK) private readonly breachCheck: BreachCheck,
    private readonly access: TrialAccess,
    private readonly checkPoints: CheckPointRepository,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reloadDetector();
  }

  /** Validates and stores a new zone with its first version, then hands the detector the new zone set. */
  async create(input: ZoneInput, createdBy: string | null = null): Promise<PublishedZone> {
    const parsed = zoneInputSchema.safeParse(input);
    if (!parsed.success) {
      const issues = parsed.error.issues.map((issue) => ({
        path: issue.path.join('.'),
        message: issue.message,
      }));
      throw new DomainException(
        DomainErrorCode.InvalidInput,
        `invalid zone: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
        issues,
      );
    }
    const [created] = await this.dataSource.transaction((manager) =>
      this.insertZones(manager, [parsed.data], createdBy),
    );
    await this.reloadDetector();
    return { id: created!.zone.id, name: created!.zone.name, version: created!.version };
  }

  // Reads

  async list(principal: Principal, query: ZoneQuery): Promise<Page<ZoneView>> {
    const qb = this.access
      .scopeToTrials(
        this.dataSource.getRepository(ZoneEntity).createQueryBuilder('z'),
        principal,
        'z.trial_id',
      )
      .orderBy('z.created_at', 'ASC')
      .addOrderBy('z.id', 'ASC');
    if (query.trialId) qb.andWhere('z.trial_id = :trialId', { trialId: query.trialId });
    if (query.siteId) qb.andWhere('z.site_id = :siteId', { siteId: query.siteId });
    // A zone that had no version yet at asOf did not exist then.
    if (query.asOf) {
      qb.andWhere('EXISTS (SELECT 1 FROM zone_version v WHERE v.zone_id = z.id AND v.created_at <= :asOf)', {
        asOf: query.asOf,
      });
    }
    const [zones, total] = await qb.take(query.limit).skip(query.offset).getManyAndCount();
    const versions = await this.versionsAt(
      zones.map((zone) => zone.id),
      query.asOf,
    );
    const items = zones.flatMap((zone) => {
      const version = versions.get(zone.id);
      return version ? [toZoneView(zone, version)] : [];
    });
    return { items, total, limit: query.limit, offset: query.offset };
  }

  async get(principal: Principal, id: string): Promise<ZoneView> {
    const zone = await this.findZone(this.dataSource.manager, principal, id);
    return toZoneView(zone, await this.currentVersion(this.dataSource.manager, zone));
  }

  async versions(principal: Principal, id: string): Promise<ZoneVersionView[]> {
    await this.findZone(this.dataSource.manager, principal, id);
    const versions = await this.dataSource
      .getRepository(ZoneVersionEntity)
      .find({ where: { zoneId: id }, order: { version: 'ASC' } });
    return versions.map(toVersionView);
  }

  async version(principal: Principal, id: string, version: number): Promise<ZoneVersionView> {
    await this.findZone(this.dataSource.manager, principal, id);
    const found = await this.dataSource.getRepository(ZoneVersionEntity).findOneBy({ zoneId: id, version });
    if (!found) throw DomainException.notFound(`zone ${id} version`, String(version));
    return toVersionView(found);
  }

  /** Every zone with its published (current) version: what the detector runs. */
  async listPublished(): Promise<PublishedZone[]> {
    const zones = await this.dataSource.getRepository(ZoneEntity).find({ order: { createdAt: 'ASC' } });
    const versions = await this.versionsAt(zones.map((zone) => zone.id));
    return zones.flatMap((zone) => {
      const version = versions.get(zone.id);
      return version ? [{ id: zone.id, name: zone.name, version }] : [];
    });
  }

  // Writes

  async createZone(principal: Principal, input: NewZone): Promise<ZoneView> {
    const placement = await this.resolvePlacement(input.trialId, input.siteId);
    const [created] = await this.dataSource.transaction((manager) =>
      this.insertZones(manager, [{ ...input, ...placement }], principal.userId),
    );
    await this.reloadDetector();
    return toZoneView(created!.zone, created!.version);
  }

  /** Publishes a new immutable version; refused (409) if it contradicts any of the zone's check points. */
  async publish(principal: Principal, id: string, content: ZoneVersionContent): Promise<ZoneView> {
    const view = await this.dataSource.transaction(async (manager) => {
      const zone = await this.findZone(manager, principal, id, true);
      const next = zone.currentVersion + 1;
      const points = await this.checkPoints.forZone(manager, zone.id);
      const refused = contradictions(points, {
        version: next,
        geometry: content.geometry,
        halfWidthM: content.halfWidthM,
      });
      if (refused.length > 0) {
        throw new DomainException(
          DomainErrorCode.Conflict,
          `version ${next} of zone "${zone.name}" contradicts ${refused.length} of its check points: ${refused.join('; ')}`,
          refused.map((message) => ({ path: 'geometry', message })),
        );
      }
      const version = await this.insertVersion(manager, zone.id, next, content, principal.userId);
      await manager.getRepository(ZoneEntity).update({ id: zone.id }, { currentVersion: next });
      return toZoneView(await manager.getRepository(ZoneEntity).findOneByOrFail({ id: zone.id }), version);
    });
    await this.reloadDetector();
    return view;
  }

  /** Creates one zone per feature of a GeoJSON or KML file, all or nothing. */
  async importZones(principal: Principal, request: ZoneImportRequest): Promise<{ created: ZoneView[] }> {
    const placement = await this.resolvePlacement(request.trialId, request.siteId);
    const parsed = parseZoneImport({ ...request, ...placement });
    if (!parsed.ok) throw new DomainException(DomainErrorCode.InvalidInput, parsed.message, parsed.issues);
    const created = await this.dataSource.transaction((manager) =>
      this.insertZones(manager, parsed.zones, principal.userId),
    );
    await this.reloadDetector();
    return { created: created.map(({ zone, version }) => toZoneView(zone, version)) };
  }

  async listCheckPoints(principal: Principal, id: string): Promise<CheckPointView[]> {
    const manager = this.dataSource.manager;
    const zone = await this.findZone(manager, principal, id);
    const current = await this.currentVersion(manager, zone);
    const points = await this.checkPoints.forZone(manager, zone.id);
    return points.map((point) => toCheckPointView(point, current));
  }

  /** Adds a surveyed check point; refused (409) if the zone's current version already contradicts it. */
  async addCheckPoint(principal: Principal, id: string, input: CheckPointInput): Promise<CheckPointView> {
    return this.dataSource.transaction(async (manager) => {
      // The zone lock serialises this with publishing, so no version slips past a point being added.
      const zone = await this.findZone(manager, principal, id, true);
      const current = await this.currentVersion(manager, zone);
      const existing = await this.checkPoints.forZone(manager, zone.id);
      if (existing.some((point) => point.name === input.name)) {
        throw new DomainException(
          DomainErrorCode.Conflict,
          `zone "${zone.name}" already has a check point named "${input.name}"`,
          [{ path: 'name', message: `a check point named "${input.name}" already exists on this zone` }],
        );
      }
      const verdict = judgeCheckPoint(input, current);
      if (verdict.contradiction) {
        throw new DomainException(
          DomainErrorCode.Conflict,
          `the zone's current version contradicts the new point: ${verdict.contradiction}`,
          [{ path: 'expected', message: verdict.contradiction }],
        );
      }
      return toCheckPointView(await this.checkPoints.insert(manager, zone.id, input), current);
    });
  }

  // Internals

  private async findZone(manager: EntityManager, principal: Principal, id: string, lock = false) {
    const qb = this.access.scopeToTrials(
      manager.getRepository(ZoneEntity).createQueryBuilder('z').where('z.id = :id', { id }),
      principal,
      'z.trial_id',
    );
    if (lock) qb.setLock('pessimistic_write');
    const zone = await qb.getOne();
    if (!zone) throw DomainException.notFound('zone', id);
    return zone;
  }

  private currentVersion(manager: EntityManager, zone: ZoneEntity): Promise<ZoneVersionEntity> {
    return manager
      .getRepository(ZoneVersionEntity)
      .findOneByOrFail({ zoneId: zone.id, version: zone.currentVersion });
  }

  /** Per zone, its current version, or the latest one created at or before `asOf`. */
  private async versionsAt(zoneIds: string[], asOf?: Date): Promise<Map<string, ZoneVersionEntity>> {
    if (zoneIds.length === 0) return new Map();
    const qb = this.dataSource
      .getRepository(ZoneVersionEntity)
      .createQueryBuilder('v')
      .where('v.zone_id IN (:...zoneIds)', { zoneIds });
    if (asOf) {
      qb.andWhere(
        `v.version = (SELECT max(v2.version) FROM zone_version v2 WHERE v2.zone_id = v.zone_id AND v2.created_at <= :asOf)`,
        { asOf },
      );
    } else {
      qb.innerJoin(ZoneEntity, 'z', 'z.id = v.zone_id AND z.current_version = v.version');
    }
    const versions = await qb.getMany();
    return new Map(versions.map((version) => [version.zoneId, version]));
  }

  /** A site implies its trial; both must exist (managers write, and they see every trial). */
  private async resolvePlacement(trialId: string | null, siteId: string | null) {
    if (siteId) {
      const [site] = (await this.dataSource.query('SELECT trial_id FROM site WHERE id = $1', [siteId])) as {
        trial_id: string;
      }[];
      if (!site) throw invalid('siteId', `site ${siteId} does not exist`);
      if (trialId && trialId !== site.trial_id) {
        throw invalid('siteId', `site ${siteId} belongs to trial ${site.trial_id}, not to trial ${trialId}`);
      }
      return { trialId: site.trial_id, siteId };
    }
    if (trialId) {
      const rows: unknown[] = await this.dataSource.query('SELECT 1 FROM trial WHERE id = $1', [trialId]);
      if (rows.length === 0) throw invalid('trialId', `trial ${trialId} does not exist`);
    }
    return { trialId, siteId };
  }

  private async insertZones(manager: EntityManager, inputs: readonly NewZone[], createdBy: string | null) {
    const created: { zone: ZoneEntity; version: ZoneVersionEntity }[] = [];
    for (const { name, trialId, siteId, ...content } of inputs) {
      const zone = await manager.save(
        manager.create(ZoneEntity, { name, trialId, siteId, currentVersion: 1 }),
      );
      created.push({ zone, version: await this.insertVersion(manager, zone.id, 1, content, createdBy) });
    }
    return created;
  }

  /**
   * Inserts a version stamped with the wall clock at insert time, to the millisecond (what clients see and
   * send back as `asOf`), so versions of a zone, inserted under its lock, are stamped in order.
   */
  private async insertVersion(
    manager: EntityManager,
    zoneId: string,
    version: number,
    content: ZoneVersionContent,
    createdBy: string | null,
  ): Promise<ZoneVersionEntity> {
    const { provenance } = content;
    await manager.query(
      `INSERT INTO zone_version (zone_id, version, kind, geometry, half_width_m, applies_to, windows, source,
         author, method, notes, created_by, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, date_trunc('milliseconds', clock_timestamp()))`,
      [
        zoneId,
        version,
        content.kind,
        JSON.stringify(content.geometry),
        content.halfWidthM,
        content.appliesTo,
        JSON.stringify(content.windows),
        provenance.source,
        provenance.author,
        provenance.method,
        provenance.notes,
        createdBy,
      ],
    );
    return manager.getRepository(ZoneVersionEntity).findOneByOrFail({ zoneId, version });
  }

  private reloadDetector(): Promise<void> {
    const update = this.detectorUpdates.then(async () =>
      this.breachCheck.setZones(await this.listPublished()),
    );
    this.detectorUpdates = update.catch(() => undefined);
    return update;
  }
}
