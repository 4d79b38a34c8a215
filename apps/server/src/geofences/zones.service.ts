import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { BREACH_CHECK, type BreachCheck } from './breach-check.js';
import { zoneInputSchema, type ZoneInput } from './zone.dto.js';
import { ZoneEntity } from './zone.entity.js';

@Injectable()
export class ZonesService implements OnModuleInit {
  constructor(
    @InjectRepository(ZoneEntity) private readonly zones: Repository<ZoneEntity>,
    @Inject(BREACH_CHECK) private readonly breachCheck: BreachCheck,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.reloadDetector();
  }

  /** Validates and stores a new zone (version 1), then hands the detector the new zone set. */
  async create(input: ZoneInput): Promise<ZoneEntity> {
    const zone = await this.zones.save(this.zones.create({ ...zoneInputSchema.parse(input), version: 1 }));
    await this.reloadDetector();
    return zone;
  }

  async list(): Promise<ZoneEntity[]> {
    return this.zones.find({ order: { createdAt: 'ASC' } });
  }

  private async reloadDetector(): Promise<void> {
    this.breachCheck.setZones(await this.list());
  }
}
