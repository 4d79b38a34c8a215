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
import type { Principal } from '../auth/principal.js';
import { DevicesService } from '../devices/devices.service.js';
import { EventBus } from '../events/event-bus.js';
import { asBreach } from '../geofences/geofence-detector.js';

interface SocketData {
  principal: Principal;
}
type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;
type LiveSocket = Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** How often batched `positions` frames go out; a device appears at most once per frame (its latest fix). */
export const POSITION_FRAME_MS = 100;

/**
 * Managers and viewers see every device; a supplier's socket joins only its own organisation's rooms.
 * `devices:*` rooms get positions, detections, breaches and acknowledgements; `fixes:*` rooms also get one
 * `fix` event per stored fix, unless the client opts out at the handshake (`auth: { token, fixEvents: false }`,
 * as the dashboard does: at 1,000 devices per-fix events would cost it more than the batched frames).
 */
const ALL_DEVICES_ROOM = 'devices:all';
const supplierRoom = (supplierId: string) => `devices:supplier:${supplierId}`;
const fixRoom = (deviceRoom: string) => `fixes:${deviceRoom}`;

/**
 * Socket.IO gateway on the HTTP server's port. The JWT is checked at the handshake
 * (`io(url, { auth: { token } })`); events are filtered on the server, so a supplier's socket never
 * receives another supplier's devices. The event map is shared from libs/telemetry.
 */
@WebSocketGateway({ cors: { origin: false } })
export class LiveGateway implements OnGatewayInit, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveGateway.name);
  private readonly unsubscribe: (() => void)[] = [];
  /** The latest fix of each device since the last frame (by fix time: a late, older fix never replaces it). */
  private pendingPositions = new Map<string, LiveFix>();
  private frameTimer?: NodeJS.Timeout;

  @WebSocketServer()
  server!: LiveServer;

  constructor(
    private readonly bus: EventBus,
    private readonly auth: AuthService,
    private readonly devices: DevicesService,
  ) {}

  afterInit(server: LiveServer): void {
    server.use((socket: LiveSocket, next) => {
      const token: unknown = socket.handshake.auth?.token;
      if (typeof token !== 'string') return next(new Error('unauthenticated: pass { auth: { token } }'));
      const wantsFixEvents = socket.handshake.auth?.fixEvents !== false;
      this.auth.verify(token).then(
        (principal) => {
          socket.data.principal = principal;
          const room =
            principal.role === 'supplier' && principal.supplierId
              ? supplierRoom(principal.supplierId)
              : ALL_DEVICES_ROOM;
          void socket.join(wantsFixEvents ? [room, fixRoom(room)] : room);
          next();
        },
        (error: Error) => next(new Error(`unauthenticated: ${error.message}`)),
      );
    });
  }

  onModuleInit(): void {
    this.unsubscribe.push(
      this.bus.on('fix.stored', (fix) => {
        const pending = this.pendingPositions.get(fix.deviceId);
        if (!pending || pending.fixTimeMs <= fix.fixTimeMs) this.pendingPositions.set(fix.deviceId, fix);
        void this.roomsFor(fix.deviceId).then((rooms) => this.server.to(rooms.map(fixRoom)).emit('fix', fix));
      }),
      this.bus.on('detection.raised', ({ detection }) => {
        // Detections are never batched: they go out as soon as the device's rooms are known.
        void this.roomsFor(detection.deviceId).then((rooms) => {
          this.server.to(rooms).emit('detection', detection);
          const breach = asBreach(detection);
          if (breach) this.server.to(rooms).emit('breach', breach);
        });
      }),
    );
    this.frameTimer = setInterval(() => void this.flushPositions(), POSITION_FRAME_MS);
    this.frameTimer.unref();
    this.logger.log('live gateway ready');
  }

  onModuleDestroy(): void {
    clearInterval(this.frameTimer);
    for (const off of this.unsubscribe) off();
  }

  async broadcastAcknowledgement(acknowledgement: LiveAcknowledgement): Promise<void> {
    const rooms = await this.roomsFor(acknowledgement.deviceId);
    this.server.to(rooms).emit('acknowledgement', acknowledgement);
  }

  /** Sends one `positions` frame per room: the whole fleet to managers, each supplier only its own devices. */
  private async flushPositions(): Promise<void> {
    if (this.pendingPositions.size === 0 || !this.server) return;
    const fixes = [...this.pendingPositions.values()];
    this.pendingPositions = new Map();
    const supplierIds = await Promise.all(fixes.map((fix) => this.supplierOf(fix.deviceId)));
    const bySupplier = new Map<string, LiveFix[]>();
    for (const [i, fix] of fixes.entries()) {
      const supplierId = supplierIds[i];
      if (!supplierId) continue;
      const frame = bySupplier.get(supplierId);
      if (frame) frame.push(fix);
      else bySupplier.set(supplierId, [fix]);
    }
    this.server.to(ALL_DEVICES_ROOM).emit('positions', fixes);
    for (const [supplierId, frame] of bySupplier)
      this.server.to(supplierRoom(supplierId)).emit('positions', frame);
  }

  /**
   * The device's supplier, or null when it has none or the database cannot say right now (an outage): then
   * only managers and viewers see it until the lookup works again; a supplier never sees a device by mistake.
   */
  private async supplierOf(deviceId: string): Promise<string | null> {
    try {
      return await this.devices.supplierOf(deviceId);
    } catch (error) {
      this.logger.warn(`supplier of ${deviceId} unknown for now (${(error as Error).message})`);
      return null;
    }
  }

  private async roomsFor(deviceId: string): Promise<string[]> {
    const supplierId = await this.supplierOf(deviceId);
    return supplierId ? [ALL_DEVICES_ROOM, supplierRoom(supplierId)] : [ALL_DEVICES_ROOM];
  }
}
