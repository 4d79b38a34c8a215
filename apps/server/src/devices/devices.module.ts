import { Module } from '@nestjs/common';
import { DeviceModelsController, DevicesController } from './devices.controller.js';
import { DevicesService } from './devices.service.js';

@Module({
  controllers: [DeviceModelsController, DevicesController],
  providers: [DevicesService],
  exports: [DevicesService],
})
export class DevicesModule {}
