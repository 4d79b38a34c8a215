import { Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { WebSocketGateway, WebSocketServer } from '@nestjs/websockets';
import type { Server } from 'socket.io';
import type { ClientToServerEvents, ServerToClientEvents } from '../../../../libs/telemetry/src/index.js';
import { EventBus } from '../events/event-bus.js';

/**
 * Socket.IO gateway on the HTTP server's port: pushes every stored fix and every breach to connected clients,
 * with the event map shared from libs/telemetry.
 */
@WebSocketGateway({ cors: { origin: false } })
export class LiveGateway implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(LiveGateway.name);
  private readonly unsubscribe: (() => void)[] = [];

  @WebSocketServer()
  server!: Server<ClientToServerEvents, ServerToClientEvents>;

  constructor(private readonly bus: EventBus) {}

  onModuleInit(): void {
    this.unsubscribe.push(
      this.bus.on('fix.stored', (fix) => this.server.emit('fix', fix)),
      this.bus.on('breach.detected', (breach) => this.server.emit('breach', breach)),
    );
    this.logger.log('live gateway ready');
  }

  onModuleDestroy(): void {
    for (const off of this.unsubscribe) off();
  }
}
