import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { GeofencesModule } from '../geofences/geofences.module.js';
import { DevicesModule } from '../devices/devices.module.js';
import { DeadLetterRepository } from './dead-letter.repository.js';
import { DeviceEventRepository } from './device-event.repository.js';
import { DeviceStatusRepository } from './device-status.repository.js';
import { FixRepository } from './fix.repository.js';
import { IngestMetrics } from './ingest.metrics.js';
import { IngestService } from './ingest.service.js';

@Module({
  imports: [BrokerModule, GeofencesModule, DevicesModule],
  providers: [
    IngestService,
    FixRepository,
    DeadLetterRepository,
    DeviceEventRepository,
    DeviceStatusRepository,
    IngestMetrics,
  ],
  exports: [IngestMetrics],
})
export class IngestModule {}
