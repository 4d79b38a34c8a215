import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module.js';
import { TrialsModule } from '../trials/trials.module.js';
import { LiveController } from './live.controller.js';
import { LiveGateway } from './live.gateway.js';
import { LiveRepository } from './live.repository.js';
import { LiveService } from './live.service.js';

@Module({
  imports: [DevicesModule, TrialsModule],
  controllers: [LiveController],
  providers: [LiveGateway, LiveRepository, LiveService],
})
export class LiveModule {}
