import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { HealthController } from './health.controller.js';

@Module({ imports: [BrokerModule, IngestModule], controllers: [HealthController] })
export class HealthModule {}
