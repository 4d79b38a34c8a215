import { randomBytes } from 'node:crypto';
import { Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import argon2 from 'argon2';
import { In, type DataSource } from 'typeorm';
import { z } from 'zod';
import { DEFAULT_CODEC } from '../../../../devices/src/index.js';
import { deviceIdSchema } from '../../../../libs/telemetry/src/index.js';
import { type Principal, supplierScope } from '../auth/principal.js';
import { DomainErrorCode, DomainException } from '../common/domain.exception.js';
import { toPage } from '../trials/trial-access.service.js';
import {
  CONFIG_FIELDS,
  DeviceConfigEntity,
  DeviceEntity,
  DeviceModelEntity,
  type DeviceConfiguration,
} from './device.entity.js';
import type {
  deviceConfigInputSchema,
  deviceInputSchema,
  deviceModelInputSchema,
  deviceModelQuerySchema,
  deviceModelUpdateSchema,
  deviceQuerySchema,
  deviceUpdateSchema,
} from './devices.dto.js';

type Out<T extends z.ZodType> = z.output<T>;

/**
 * Ingest's device directory: every device is loaded at start, in one query, so no message waits for a
 * lookup (one query per new device would hold up the whole stream after a restart: messages are handled one
 * at a time). Changes made through this server drop the entry at once. After CACHE_TTL_MS an entry is
 * re-read in the background, in batches, while the copy in hand keeps serving: the TTL bounds how stale
 * another server process's change can be. An unknown device is looked up when it publishes, and that answer
 * is kept only briefly, so a device registered elsewhere is accepted within seconds.
 */
const CACHE_TTL_MS = 60_000;
const UNKNOWN_DEVICE_TTL_MS = 5_000;
/** Expired entries asked for within this window are re-read together. */
const REFRESH_BATCH_MS = 50;

/** The fields of `config` that differ from the accepted configuration (empty: no drift, or nothing accepted yet). */
export function configDrift(config: DeviceConfiguration, accepted: DeviceConfiguration | null): string[] {
  if (!accepted) return [];
  return CONFIG_FIELDS.filter((field) => config[field] !== accepted[field]);
}

/** A registration for internal use (tests, the demo): a device with no model, visible to managers only. */
const registrationSchema = z.object({
  id: deviceIdSchema,
  name: z.string().max(200).default(''),
  codec: z.string().default(DEFAULT_CODEC),
  groups: z.array(z.string().min(1).max(64)).max(32).default([]),
});

interface CachedDevice {
  device: DeviceEntity | null;
  expiresAtMs: number;
}

@Injectable()
export class DevicesService implements OnModuleInit {
  private readonly logger = new Logger(DevicesService.name);
  private readonly cache = new Map<string, CachedDevice>();
  private readonly toRefresh = new Set<string>();
  private refreshTimer?: NodeJS.Timeout;
  /** A model never changes supplier, so this needs no expiry. */
  private readonly modelSuppliers = new Map<string, string | null>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Loads the device directory before ingest subscribes (module init precedes the MQTT connection). */
  async onModuleInit(): Promise<void> {
    await this.loadDirectory();
  }

  /** Reads every device into the directory (at start; a bulk registration outside this service may call it). */
  async loadDirectory(): Promise<void> {
    const devices = await this.devices.find();
    const expiresAtMs = Date.now() + CACHE_TTL_MS;
    for (const device of devices) this.cache.set(device.id, { device, expiresAtMs });
    this.logger.log(`device directory loaded: ${devices.length} device(s)`);
  }

  private get devices() {
    return this.dataSource.getRepository(DeviceEntity);
  }

  // Device models

  private modelsQuery(principal: Principal) {
    const qb = this.dataSource.getRepository(DeviceModelEntity).createQueryBuilder('m').orderBy('m.name');
    const scope = supplierScope(principal);
    return scope === undefined ? qb : qb.andWhere('m.supplier_id = :scope', { scope });
  }

  async listModels(principal: Principal, query: Out<typeof deviceModelQuerySchema>) {
    const qb = this.modelsQuery(principal);
    if (query.supplierId) qb.andWhere('m.supplier_id = :supplierId', { supplierId: query.supplierId });
    return toPage(qb, query);
  }

  async getModel(principal: Principal, id: string) {
    const model = await this.modelsQuery(principal).andWhere('m.id = :id', { id }).getOne();
    if (!model) throw DomainException.notFound('device model', id);
    return model;
  }

  async createModel(principal: Principal, input: Out<typeof deviceModelInputSchema>) {
    const scope = supplierScope(principal);
    if (scope !== undefined && scope !== input.supplierId) {
      throw new DomainException(
        DomainErrorCode.Forbidden,
        'a supplier can only register its own device models',
      );
    }
    const repository = this.dataSource.getRepository(DeviceModelEntity);
    const saved = await repository.save(repository.create({ ...input, acceptedConfig: null }));
    return this.getModel(principal, saved.id);
  }

  async updateModel(principal: Principal, id: string, patch: Out<typeof deviceModelUpdateSchema>) {
    const model = await this.getModel(principal, id);
    if (patch.acceptedConfig !== undefined && principal.role !== 'manager') {
      throw new DomainException(
        DomainErrorCode.Forbidden,
        'only a trial manager records the accepted configuration',
      );
    }
    await this.dataSource.getRepository(DeviceModelEntity).save({ ...model, ...patch });
    return this.getModel(principal, id);
  }

  // Devices

  private devicesQuery(principal: Principal) {
    const qb = this.devices
      .createQueryBuilder('d')
      .leftJoin(DeviceModelEntity, 'm', 'm.id = d.model_id')
      .orderBy('d.id');
    const scope = supplierScope(principal);
    return scope === undefined ? qb : qb.andWhere('m.supplier_id = :scope', { scope });
  }

  async listDevices(principal: Principal, query: Out<typeof deviceQuerySchema>) {
    const qb = this.devicesQuery(principal);
    if (query.modelId) qb.andWhere('d.model_id = :modelId', { modelId: query.modelId });
    if (query.supplierId) qb.andWhere('m.supplier_id = :supplierId', { supplierId: query.supplierId });
    return toPage(qb, query);
  }

  /** The device with its current configuration and its drift from the model's accepted configuration. */
  async getDevice(principal: Principal, id: string) {
    const device = await this.devicesQuery(principal).andWhere('d.id = :id', { id }).getOne();
    if (!device) throw DomainException.notFound('device', id);
    const model = device.modelId
      ? await this.dataSource.getRepository(DeviceModelEntity).findOneBy({ id: device.modelId })
      : null;
    const currentConfig = await this.dataSource
      .getRepository(DeviceConfigEntity)
      .createQueryBuilder('c')
      .where('c.device_id = :id AND c.effective_from <= now()', { id })
      .orderBy('c.effective_from', 'DESC')
      .getOne();
    return {
      ...device,
      currentConfig: currentConfig ?? null,
      drift: currentConfig ? configDrift(currentConfig, model?.acceptedConfig ?? null) : [],
    };
  }

  /** Registers a device and issues its MQTT credential, returned this once and stored only as a hash. */
  async createDevice(principal: Principal, input: Out<typeof deviceInputSchema>) {
    const model = await this.getModel(principal, input.modelId);
    await this.devices.insert(this.devices.create({ ...input, codec: input.codec ?? model.codec }));
    const credential = await this.issueCredential(input.id);
    return { ...(await this.getDevice(principal, input.id)), credential };
  }

  async updateDevice(principal: Principal, id: string, patch: Out<typeof deviceUpdateSchema>) {
    await this.getDevice(principal, id);
    await this.devices.update({ id }, patch);
    this.cache.delete(id);
    return this.getDevice(principal, id);
  }

  async rotateCredential(principal: Principal, id: string) {
    await this.getDevice(principal, id);
    return { deviceId: id, credential: await this.issueCredential(id) };
  }

  async issueCredential(id: string): Promise<{ username: string; password: string }> {
    const password = randomBytes(24).toString('base64url');
    await this.devices.update(
      { id },
      { credentialHash: await argon2.hash(password), credentialIssuedAt: new Date() },
    );
    this.cache.delete(id);
    return { username: id, password };
  }

  /** For the embedded broker: is this the device's current MQTT password? */
  async verifyCredential(id: string, password: string): Promise<boolean> {
    const row = await this.devices
      .createQueryBuilder('d')
      .addSelect('d.credentialHash')
      .where('d.id = :id', { id })
      .getOne();
    if (!row?.credentialHash) return false;
    return argon2.verify(row.credentialHash, password);
  }

  // Configurations

  async listConfigs(principal: Principal, deviceId: string) {
    const device = await this.getDevice(principal, deviceId);
    const model = device.modelId
      ? await this.dataSource.getRepository(DeviceModelEntity).findOneBy({ id: device.modelId })
      : null;
    const configs = await this.dataSource
      .getRepository(DeviceConfigEntity)
      .find({ where: { deviceId }, order: { effectiveFrom: 'ASC' } });
    return configs.map((config) => ({
      ...config,
      drift: configDrift(config, model?.acceptedConfig ?? null),
    }));
  }

  async addConfig(principal: Principal, deviceId: string, input: Out<typeof deviceConfigInputSchema>) {
    await this.getDevice(principal, deviceId);
    const repository = this.dataSource.getRepository(DeviceConfigEntity);
    await repository.save(repository.create({ ...input, deviceId }));
    return (await this.listConfigs(principal, deviceId)).find(
      (config) => config.effectiveFrom.getTime() === input.effectiveFrom.getTime(),
    );
  }

  // Internal: registration without a model (tests, demo) and ingest's lookup.

  async upsert(input: z.input<typeof registrationSchema>): Promise<DeviceEntity> {
    const device = this.devices.create(registrationSchema.parse(input));
    await this.devices.upsert(device, ['id']);
    const stored = await this.devices.findOneByOrFail({ id: device.id });
    this.remember(stored.id, stored);
    return stored;
  }

  /** The supplier organisation owning a device (through its model), or null; cached like `find`. */
  async supplierOf(id: string): Promise<string | null> {
    const device = await this.find(id);
    if (!device?.modelId) return null;
    const cached = this.modelSuppliers.get(device.modelId);
    if (cached !== undefined) return cached;
    const model = await this.dataSource.getRepository(DeviceModelEntity).findOneBy({ id: device.modelId });
    const supplierId = model?.supplierId ?? null;
    this.modelSuppliers.set(device.modelId, supplierId);
    return supplierId;
  }

  /**
   * The device from the directory without waiting, or undefined when it must be looked up (`find`). An
   * expired entry still answers, and is re-read in the background.
   */
  cached(id: string): DeviceEntity | null | undefined {
    const entry = this.cache.get(id);
    if (!entry) return undefined;
    if (entry.expiresAtMs > Date.now()) return entry.device;
    if (!entry.device) return undefined;
    this.refreshLater(id);
    return entry.device;
  }

  /** The device, or null when it is not registered (ingest asks for every message: see CACHE_TTL_MS). */
  async find(id: string): Promise<DeviceEntity | null> {
    const cached = this.cached(id);
    if (cached !== undefined) return cached;
    const device = await this.devices.findOneBy({ id });
    this.remember(id, device);
    return device;
  }

  private remember(id: string, device: DeviceEntity | null): void {
    this.cache.set(id, { device, expiresAtMs: Date.now() + (device ? CACHE_TTL_MS : UNKNOWN_DEVICE_TTL_MS) });
  }

  private refreshLater(id: string): void {
    this.toRefresh.add(id);
    this.refreshTimer ??= setTimeout(() => void this.refresh(), REFRESH_BATCH_MS).unref();
  }

  private async refresh(): Promise<void> {
    const ids = [...this.toRefresh];
    this.toRefresh.clear();
    // An entry dropped or replaced meanwhile (a change through this server) is newer than what we read.
    const before = new Map(ids.map((id) => [id, this.cache.get(id)]));
    try {
      const rows = await this.devices.findBy({ id: In(ids) });
      const found = new Map(rows.map((device) => [device.id, device]));
      for (const id of ids) {
        if (this.cache.get(id) === before.get(id)) this.remember(id, found.get(id) ?? null);
      }
    } catch (error) {
      // The copies in hand keep serving; they are asked for again on the next message.
      this.logger.warn(`could not re-read ${ids.length} device(s): ${(error as Error).message}`);
    } finally {
      this.refreshTimer = undefined;
      if (this.toRefresh.size > 0)
        this.refreshTimer = setTimeout(() => void this.refresh(), REFRESH_BATCH_MS);
    }
  }
}
