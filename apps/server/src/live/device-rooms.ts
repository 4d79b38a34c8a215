import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { EventBus } from '../events/event-bus.js';

/**
 * The Socket.IO rooms of the live stream. A socket joins exactly one: the whole fleet or one trial, seen by
 * a manager (everything) or by a supplier (its own devices only). A device's events go to every room that
 * may see it, so a supplier's socket never receives another supplier's device: the filtering is the room.
 */
export const LiveRoom = {
  all: 'devices:all',
  supplier: (supplierId: string) => `devices:supplier:${supplierId}`,
  trial: (trialId: string) => `trial:${trialId}`,
  trialSupplier: (trialId: string, supplierId: string) => `trial:${trialId}:supplier:${supplierId}`,
  /** The per-fix stream of a room, for clients that asked for one `fix` event per stored fix. */
  fixes: (room: string) => `fixes:${room}`,
} as const;

const SUPPLIER_ROOM_PREFIX = LiveRoom.supplier('');

/** The supplier whose room is among a device's rooms (see `roomsOf`), or null for a device with none. */
export function supplierInRooms(rooms: readonly string[]): string | null {
  return (
    rooms.find((room) => room.startsWith(SUPPLIER_ROOM_PREFIX))?.slice(SUPPLIER_ROOM_PREFIX.length) ?? null
  );
}

/** A device's membership is re-read after this long, so a model or enrolment change shows without restart. */
export const ROOMS_TTL_MS = 10_000;

interface Membership {
  supplierId: string | null;
  trialIds: string[];
}

/** The rooms a device's live events go to, given its supplier and the trials it is enrolled in. */
export function roomsOf({ supplierId, trialIds }: Membership): string[] {
  const rooms: string[] = [LiveRoom.all];
  if (supplierId) rooms.push(LiveRoom.supplier(supplierId));
  for (const trialId of trialIds) {
    rooms.push(LiveRoom.trial(trialId));
    if (supplierId) rooms.push(LiveRoom.trialSupplier(trialId, supplierId));
  }
  return rooms;
}

/**
 * Which rooms each device's events go to, cached so neither the 100 ms position frames nor a detection waits
 * for a query: an entry older than ROOMS_TTL_MS keeps serving while it is re-read in the background, and the
 * devices never seen are looked up together (every lookup asked for in the same turn shares one query). A
 * trial's devices are those enrolled in it or listed in one of its sessions (as for the REST snapshot);
 * enrolment and session changes clear the cache. When the database cannot say, a device goes to the
 * managers' all-devices room only, never to a supplier's.
 */
@Injectable()
export class DeviceRooms implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(DeviceRooms.name);
  private readonly cache = new Map<string, { rooms: string[]; expiresAtMs: number }>();
  /** Devices to look up in the next query, with who is waiting for them. */
  private pending = new Map<string, ((rooms: string[]) => void)[]>();
  private lookupScheduled = false;
  private off?: () => void;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly bus: EventBus,
  ) {}

  async onModuleInit(): Promise<void> {
    this.off = this.bus.on('trial.devices-changed', () => this.cache.clear());
    await this.loadAll();
  }

  /** Reads every device's rooms (at start, so the first events of a known device wait for nothing). */
  async loadAll(): Promise<void> {
    await this.query(null);
  }

  onModuleDestroy(): void {
    this.off?.();
  }

  /** The rooms of a device without waiting, or undefined when it has never been looked up. */
  cached(deviceId: string, nowMs = Date.now()): string[] | undefined {
    const entry = this.cache.get(deviceId);
    if (!entry) return undefined;
    if (entry.expiresAtMs <= nowMs) {
      // Re-read once: until the answer comes (or, if the database is away, for another TTL) these serve.
      entry.expiresAtMs = nowMs + ROOMS_TTL_MS;
      void this.lookUp(deviceId);
    }
    return entry.rooms;
  }

  async of(deviceId: string): Promise<string[]> {
    return this.cached(deviceId) ?? this.lookUp(deviceId);
  }

  /** The rooms of every device given, waiting only for those never looked up (in one query). */
  async ofAll(deviceIds: Iterable<string>): Promise<Map<string, string[]>> {
    const nowMs = Date.now();
    const result = new Map<string, string[]>();
    const missing: Promise<void>[] = [];
    for (const id of deviceIds) {
      const rooms = this.cached(id, nowMs);
      if (rooms) result.set(id, rooms);
      else missing.push(this.lookUp(id).then((found) => void result.set(id, found)));
    }
    await Promise.all(missing);
    return result;
  }

  /** Queues a device for the next batched query. */
  private lookUp(deviceId: string): Promise<string[]> {
    return new Promise((resolve) => {
      const waiting = this.pending.get(deviceId);
      if (waiting) waiting.push(resolve);
      else this.pending.set(deviceId, [resolve]);
      if (!this.lookupScheduled) {
        this.lookupScheduled = true;
        setImmediate(() => void this.lookUpPending());
      }
    });
  }

  private async lookUpPending(): Promise<void> {
    const batch = this.pending;
    this.pending = new Map();
    this.lookupScheduled = false;
    const found = await this.query([...batch.keys()]);
    for (const [id, waiting] of batch) {
      const rooms = found.get(id) ?? this.cache.get(id)?.rooms ?? [LiveRoom.all];
      for (const resolve of waiting) resolve(rooms);
    }
  }

  /** Reads the rooms of the devices given (null: every device) into the cache, in one set-based query. */
  private async query(deviceIds: string[] | null): Promise<Map<string, string[]>> {
    const result = new Map<string, string[]>();
    try {
      const rows: { id: string; supplier_id: string | null; trial_ids: string[] }[] =
        await this.dataSource.query(
          `WITH member AS (
             SELECT device_id, trial_id FROM enrolment
             UNION SELECT unnest(device_ids), trial_id FROM session)
           SELECT d.id, m.supplier_id,
                  COALESCE(array_agg(member.trial_id::text) FILTER (WHERE member.trial_id IS NOT NULL), '{}') AS trial_ids
           FROM device d
           LEFT JOIN device_model m ON m.id = d.model_id
           LEFT JOIN member ON member.device_id = d.id
           WHERE $1::text[] IS NULL OR d.id = ANY($1)
           GROUP BY d.id, m.supplier_id`,
          [deviceIds],
        );
      const expiresAtMs = Date.now() + ROOMS_TTL_MS;
      const remember = (id: string, rooms: string[]) => {
        this.cache.set(id, { rooms, expiresAtMs });
        result.set(id, rooms);
      };
      for (const row of rows)
        remember(row.id, roomsOf({ supplierId: row.supplier_id, trialIds: row.trial_ids }));
      // A device not registered (yet) has no supplier and no trial: managers only, until re-read.
      for (const id of deviceIds ?? [])
        if (!result.has(id)) remember(id, roomsOf({ supplierId: null, trialIds: [] }));
    } catch (error) {
      const which = deviceIds ? `${deviceIds.length} device(s)` : 'every device';
      this.logger.warn(`rooms of ${which} unknown for now (${(error as Error).message})`);
    }
    return result;
  }
}
