import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { Repository } from 'typeorm';
import { z } from 'zod';
import { CODECS, DEFAULT_CODEC } from '../../../../devices/src/index.js';
import { deviceIdSchema } from '../../../../libs/telemetry/src/index.js';
import { DeviceEntity } from './device.entity.js';

export const deviceInputSchema = z.object({
  id: deviceIdSchema,
  name: z.string().max(200).default(''),
  codec: z
    .string()
    .refine((name) => CODECS.has(name), { message: `codec must be one of ${[...CODECS.keys()].join(', ')}` })
    .default(DEFAULT_CODEC),
  groups: z.array(z.string().min(1).max(64)).max(32).default([]),
});
export type DeviceInput = z.input<typeof deviceInputSchema>;

/** How long ingest trusts its copy of a device row before reading it again. */
const CACHE_TTL_MS = 5_000;

@Injectable()
export class DevicesService {
  private readonly cache = new Map<string, { device: DeviceEntity | null; expiresAtMs: number }>();

  constructor(@InjectRepository(DeviceEntity) private readonly devices: Repository<DeviceEntity>) {}

  async upsert(input: DeviceInput): Promise<DeviceEntity> {
    const device = this.devices.create(deviceInputSchema.parse(input));
    await this.devices.upsert(device, ['id']);
    this.cache.delete(device.id);
    return this.devices.findOneByOrFail({ id: device.id });
  }

  /** The device, or null when it is not registered; cached briefly because ingest asks for every message. */
  async find(id: string): Promise<DeviceEntity | null> {
    const now = Date.now();
    const cached = this.cache.get(id);
    if (cached && cached.expiresAtMs > now) return cached.device;
    const device = await this.devices.findOneBy({ id });
    this.cache.set(id, { device, expiresAtMs: now + CACHE_TTL_MS });
    return device;
  }
}
