import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import type {
  ClientToServerEvents,
  LiveAcknowledgement,
  LiveFix,
  ServerToClientEvents,
} from '../../../../libs/telemetry/src/index.js';
import { AuthService } from '../auth/auth.service.js';
import { type Principal, supplierScope } from '../auth/principal.js';
import { EventBus } from '../events/event-bus.js';
import { asBreach } from '../geofences/geofence-detector.js';
import { IngestMetrics } from '../ingest/ingest.metrics.js';
import { TrialAccess } from '../trials/trial-access.service.js';
import { DeviceRooms, LiveRoom, supplierInRooms } from './device-rooms.js';
import { LiveKpis } from './live-kpis.js';

interface SocketData {
  principal: Principal;
  /** The one room the socket watches (see LiveRoom). */
  room: string;
}
type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** How often batched `positions` frames go out; a device appears at most once per frame (its latest fix). */
export const POSITION_FRAME_MS = 100;
/** How often each watched room gets its `kpis` frame. */
export const KPI_FRAME_MS = 5_000;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The room a principal watches: one trial or the whole fleet, and for a supplier only its own devices. */
export function roomFor(principal: Principal, trialId: string | undefined): string {
  const supplierId = supplierScope(principal);
  if (trialId) return supplierId ? LiveRoom.trialSupplier(trialId, supplierId) : LiveRoom.trial(trialId);
  return supplierId ? LiveRoom.supplier(supplierId) : LiveRoom.all;
}

/**
 * Socket.IO gateway on the HTTP server's port. The JWT is checked at the handshake
 * (`io(url, { auth: { token, trialId? } })`); each socket joins one room, a trial's or the whole fleet's,
 * and for a supplier only its own devices' (see DeviceRooms): events are filtered on the server, so a
 * supplier's socket never receives another supplier's device. `positions` go out in frames every
 * POSITION_FRAME_MS with each device's latest fix; detections, breaches and acknowledgements at once.
 * One `fix` event per stored fix goes only to sockets that ask for it (`auth: { fixEvents: true }`): at
 * thousands of fixes a second it costs more than the frames. The event map is shared from libs/telemetry.
 */
@WebSocketGateway({ cors: { origin: false } })
export class LiveGateway implements OnGatewayInit, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveGateway.name);
  private readonly unsubscribe: (() => void)[] = [];
  /** The latest fix of each device since the last frame (by fix time: a late, older fix never replaces it). */
  private pendingPositions = new Map<string, LiveFix>();
  private frameTimer?: NodeJS.Timeout;
  private kpiTimer?: NodeJS.Timeout;
  private flushing = false;
  private readonly kpis = new LiveKpis();
  /** Sockets that asked for per-fix events: while there are none, a fix costs the gateway a map write. */
  private fixListeners = 0;

  @WebSocketServer()
  server!: LiveServer;

  constructor(
    private readonly bus: EventBus,
    private readonly auth: AuthService,
    private readonly access: TrialAccess,
    private readonly rooms: DeviceRooms,
    private readonly metrics: IngestMetrics,
  ) {}

  afterInit(server: LiveServer): void {
    server.use((socket: LiveSocket, next) => {
      const { token, trialId, fixEvents } = (socket.handshake.auth ?? {}) as Record<string, unknown>;
      if (typeof token !== 'string') return next(new Error('unauthenticated: pass { auth: { token } }'));
      if (trialId !== undefined && (typeof trialId !== 'string' || !UUID.test(trialId))) {
        return next(new Error('trialId must be a trial id (a UUID)'));
      }
      this.auth.verify(token).then(
        async (principal) => {
          if (trialId) {
            try {
              await this.access.assertTrialVisible(principal, trialId);
            } catch {
              return next(new Error(`trial ${trialId} not found`));
            }
          }
          const room = roomFor(principal, trialId);
          socket.data.principal = principal;
          socket.data.room = room;
          if (fixEvents === true) {
            this.fixListeners++;
            socket.once('disconnect', () => this.fixListeners--);
          }
          void socket.join(fixEvents === true ? [room, LiveRoom.fixes(room)] : room);
          next();
        },
        (error: Error) => next(new Error(`unauthenticated: ${error.message}`)),
      );
    });
  }

  onModuleInit(): void {
    this.unsubscribe.push(
      this.bus.on('fix.stored', (fix) => {
        this.kpis.fixReceived(fix.deviceId, fix.receivedAtMs);
        const pending = this.pendingPositions.get(fix.deviceId);
        if (!pending || pending.fixTimeMs <= fix.fixTimeMs) this.pendingPositions.set(fix.deviceId, fix);
        if (this.fixListeners > 0) void this.toRoomsOf(fix.deviceId, (rooms) => this.emitFix(rooms, fix));
      }),
      this.bus.on('detection.raised', ({ detection }) => {
        this.kpis.detection(detection);
        // Detections are never batched: they go out as soon as the device's rooms are known.
        void this.toRoomsOf(detection.deviceId, (rooms) => {
          const to = this.server.to(rooms);
          to.emit('detection', detection);
          const breach = asBreach(detection);
          if (breach) to.emit('breach', breach);
          this.metrics.detectionEmitted(detection);
        });
      }),
    );
    this.unsubscribe.push(
      this.bus.on('device.status', (status) => {
        this.kpis.connection(status.deviceId, status.online);
        void this.toRoomsOf(status.deviceId, (rooms) => this.server.to(rooms).emit('deviceStatus', status));
      }),
    );
    this.frameTimer = setInterval(() => void this.flushPositions(), POSITION_FRAME_MS);
    this.frameTimer.unref();
    this.kpiTimer = setInterval(() => void this.sendKpis(), KPI_FRAME_MS);
    this.kpiTimer.unref();
    this.logger.log('live gateway ready');
  }

  onModuleDestroy(): void {
    clearInterval(this.frameTimer);
    clearInterval(this.kpiTimer);
    for (const off of this.unsubscribe) off();
  }

  async broadcastAcknowledgement(acknowledgement: LiveAcknowledgement): Promise<void> {
    await this.toRoomsOf(acknowledgement.deviceId, (rooms) =>
      this.server.to(rooms).emit('acknowledgement', acknowledgement),
    );
  }

  /** Runs `send` with the device's rooms: at once when they are cached, else after one lookup. */
  private async toRoomsOf(deviceId: string, send: (rooms: string[]) => void): Promise<void> {
    const cached = this.rooms.cached(deviceId);
    send(cached ?? (await this.rooms.of(deviceId)));
  }

  private roomHasSockets(room: string): boolean {
    return (this.server?.sockets.adapter.rooms.get(room)?.size ?? 0) > 0;
  }

  private emitFix(rooms: string[], fix: LiveFix): void {
    const watched = rooms.map(LiveRoom.fixes).filter((room) => this.roomHasSockets(room));
    if (watched.length > 0) this.server.to(watched).emit('fix', fix);
  }

  /** Sends each watched room its KPI frame: the figures of the devices it may see, per supplier. */
  private async sendKpis(): Promise<void> {
    if (!this.server) return;
    const watched = new Set<string>();
    for (const [room, sockets] of this.server.sockets.adapter.rooms) {
      if (sockets.size > 0 && (room.startsWith('devices:') || room.startsWith('trial:'))) watched.add(room);
    }
    if (watched.size === 0) return;
    const roomsByDevice = await this.rooms.ofAll(this.kpis.deviceIds());
    const frames = this.kpis.frames(
      Date.now(),
      watched,
      (deviceId) => roomsByDevice.get(deviceId) ?? [LiveRoom.all],
      supplierInRooms,
    );
    for (const [room, frame] of frames) this.server.to(room).emit('kpis', frame);
  }

  /** Sends one `positions` frame per watched room, with the latest fix of each of that room's devices. */
  private async flushPositions(): Promise<void> {
    if (this.pendingPositions.size === 0 || !this.server || this.flushing) return;
    const fixes = this.pendingPositions;
    this.pendingPositions = new Map();
    this.flushing = true;
    try {
      const roomsByDevice = await this.rooms.ofAll(fixes.keys());
      const frames = new Map<string, LiveFix[]>();
      for (const [deviceId, fix] of fixes) {
        for (const room of roomsByDevice.get(deviceId) ?? [LiveRoom.all]) {
          const frame = frames.get(room);
          if (frame) frame.push(fix);
          else if (this.roomHasSockets(room)) frames.set(room, [fix]);
        }
      }
      for (const [room, frame] of frames) this.server.to(room).emit('positions', frame);
    } finally {
      this.flushing = false;
    }
  }
}
