import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { TrialsModule } from '../trials/trials.module.js';
import { BREACH_CHECK } from './breach-check.js';
import { CheckPointRepository } from './check-point.repository.js';
import { TurfBreachCheck } from './turf-breach-check.js';
import { ZoneEntity, ZoneVersionEntity } from './zone.entity.js';
import { ZonesController } from './zones.controller.js';
import { ZonesService } from './zones.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ZoneEntity, ZoneVersionEntity]), TrialsModule],
  controllers: [ZonesController],
  providers: [ZonesService, CheckPointRepository, { provide: BREACH_CHECK, useClass: TurfBreachCheck }],
  exports: [ZonesService, BREACH_CHECK],
})
export class GeofencesModule {}
