import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { type OnGatewayInit, WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server, Socket } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../../libs/telemetry/src/index.js';
import { AuthService } from '../auth/auth.service.js';
import type { Principal } from '../auth/principal.js';
import { DevicesService } from '../devices/devices.service.js';
import { EventBus } from '../events/event-bus.js';
import { asBreach } from '../geofences/geofence-detector.js';

interface SocketData {
  principal: Principal;
}
type LiveServer = Server<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>;

/** Managers and viewers see every device; a supplier's socket joins only its own organisation's room. */
const ALL_DEVICES_ROOM = 'devices:all';
const supplierRoom = (supplierId: string) => `devices:supplier:${supplierId}`;

/**
 * Socket.IO gateway on the HTTP server's port. The JWT is checked at the handshake
 * (`io(url, { auth: { token } })`); events are filtered on the server, so a supplier's socket never
 * receives another supplier's devices. The event map is shared from libs/telemetry.
 */
@WebSocketGateway({ cors: { origin: false } })
export class LiveGateway implements OnGatewayInit, OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveGateway.name);
  private readonly unsubscribe: (() => void)[] = [];

  @WebSocketServer()
  server!: LiveServer;

  constructor(
    private readonly bus: EventBus,
    private readonly auth: AuthService,
    private readonly devices: DevicesService,
  ) {}

  afterInit(server: LiveServer): void {
    server.use(
      (
        socket: Socket<ClientToServerEvents, ServerToClientEvents, Record<string, never>, SocketData>,
        next,
      ) => {
        const token: unknown = socket.handshake.auth?.token;
        if (typeof token !== 'string') return next(new Error('unauthenticated: pass { auth: { token } }'));
        this.auth.verify(token).then(
          (principal) => {
            socket.data.principal = principal;
            void socket.join(
              principal.role === 'supplier' && principal.supplierId
                ? supplierRoom(principal.supplierId)
                : ALL_DEVICES_ROOM,
            );
            next();
          },
          (error: Error) => next(new Error(`unauthenticated: ${error.message}`)),
        );
      },
    );
  }

  onModuleInit(): void {
    this.unsubscribe.push(
      this.bus.on(
        'fix.stored',
        (fix) => void this.roomsFor(fix.deviceId).then((rooms) => this.server.to(rooms).emit('fix', fix)),
      ),
      this.bus.on('detection.raised', ({ detection }) => {
        void this.roomsFor(detection.deviceId).then((rooms) => {
          this.server.to(rooms).emit('detection', detection);
          const breach = asBreach(detection);
          if (breach) this.server.to(rooms).emit('breach', breach);
        });
      }),
    );
    this.logger.log('live gateway ready');
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe) off();
  }

  private async roomsFor(deviceId: string): Promise<string[]> {
    const supplierId = await this.devices.supplierOf(deviceId);
    return supplierId ? [ALL_DEVICES_ROOM, supplierRoom(supplierId)] : [ALL_DEVICES_ROOM];
  }
}
