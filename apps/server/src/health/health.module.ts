import { Module } from '@nestjs/common';
import { BrokerModule } from '../broker/broker.module.js';
import { IngestModule } from '../ingest/ingest.module.js';
import { HealthController } from './health.controller.js';
import { MetricsController } from './metrics.controller.js';

@Module({ imports: [BrokerModule, IngestModule], controllers: [HealthController, MetricsController] })
export class HealthModule {}
