import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { TrialsModule } from '../trials/trials.module.js';
import { DeviceRooms } from './device-rooms.js';
import { LiveController } from './live.controller.js';
import { LiveGateway } from './live.gateway.js';
import { LiveRepository } from './live.repository.js';
import { LiveService } from './live.service.js';

@Module({
  imports: [DevicesModule, TrialsModule, IngestModule],
  controllers: [LiveController],
  providers: [DeviceRooms, LiveGateway, LiveRepository, LiveService],
})
export class LiveModule {}
