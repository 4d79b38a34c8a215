import { Module } from '@nestjs/common';
import { DevicesModule } from '../devices/devices.module.js';
import { LiveGateway } from './live.gateway.js';

@Module({ imports: [DevicesModule], providers: [LiveGateway] })
export class LiveModule {}
