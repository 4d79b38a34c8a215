import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BrokerModule } from '../broker/broker.module.js';
import { TrialsModule } from '../trials/trials.module.js';
import { BREACH_CHECK } from './breach-check.js';
import { CheckPointRepository } from './check-point.repository.js';
import { DetectionsService } from './detections.service.js';
import { GeofenceDetector } from './geofence-detector.js';
import { ZoneEntity, ZoneVersionEntity } from './zone.entity.js';
import { ZonesController } from './zones.controller.js';
import { ZonesService } from './zones.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ZoneEntity, ZoneVersionEntity]), TrialsModule, BrokerModule],
  controllers: [ZonesController],
  providers: [
    ZonesService,
    CheckPointRepository,
    GeofenceDetector,
    { provide: BREACH_CHECK, useExisting: GeofenceDetector },
    DetectionsService,
  ],
  exports: [ZonesService, BREACH_CHECK, GeofenceDetector],
})
export class GeofencesModule {}
