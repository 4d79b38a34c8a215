import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { BREACH_CHECK } from './breach-check.js';
import { TurfBreachCheck } from './turf-breach-check.js';
import { ZoneEntity, ZoneVersionEntity } from './zone.entity.js';
import { ZonesService } from './zones.service.js';

@Module({
  imports: [TypeOrmModule.forFeature([ZoneEntity, ZoneVersionEntity])],
  providers: [ZonesService, { provide: BREACH_CHECK, useClass: TurfBreachCheck }],
  exports: [ZonesService, BREACH_CHECK],
})
export class GeofencesModule {}
