import { Module } from '@nestjs/common';
import { DeviceModelsController, DevicesController } from './devices.controller.js';
import { BrokerAuthService } from './broker-auth.service.js';
import { DevicesService } from './devices.service.js';

@Module({
  controllers: [DeviceModelsController, DevicesController],
  providers: [DevicesService, BrokerAuthService],
  exports: [DevicesService],
})
export class DevicesModule {}
