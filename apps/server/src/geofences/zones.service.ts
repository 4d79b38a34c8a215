import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BREACH_CHECK, type BreachCheck } from './breach-check.js';
import { zoneInputSchema, type ZoneInput } from './zone.dto.js';
import { ZoneEntity, ZoneVersionEntity, type PublishedZone } from './zone.entity.js';

@Injectable()
export class ZonesService implements OnModuleInit {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(BREACH_CHECK) private readonly breachCheck: BreachCheck,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reloadDetector();
  }

  /** Validates and stores a new zone with its first version, then hands the detector the new zone set. */
  async create(input: ZoneInput, createdBy: string | null = null): Promise<PublishedZone> {
    const { name, trialId, siteId, provenance, ...content } = zoneInputSchema.parse(input);
    const published = await this.dataSource.transaction(async (manager) => {
      const zone = await manager.save(manager.create(ZoneEntity, { name, trialId, siteId, currentVersion: 1 }));
      const version = await manager.save(
        manager.create(ZoneVersionEntity, { zoneId: zone.id, version: 1, ...content, ...provenance, createdBy }),
      );
      return { id: zone.id, name, version };
    });
    await this.reloadDetector();
    return published;
  }

  /** Every zone with its published (current) version. */
  async listPublished(): Promise<PublishedZone[]> {
    const zones = await this.dataSource.getRepository(ZoneEntity).find({ order: { createdAt: 'ASC' } });
    const versions = await this.dataSource
      .getRepository(ZoneVersionEntity)
      .createQueryBuilder('v')
      .innerJoin(ZoneEntity, 'z', 'z.id = v.zone_id AND z.current_version = v.version')
      .getMany();
    const byZone = new Map(versions.map((version) => [version.zoneId, version]));
    return zones.flatMap((zone) => {
      const version = byZone.get(zone.id);
      return version ? [{ id: zone.id, name: zone.name, version }] : [];
    });
  }

  private async reloadDetector(): Promise<void> {
    this.breachCheck.setZones(await this.listPublished());
  }
}
