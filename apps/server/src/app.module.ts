import { type DynamicModule, Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import { BrokerModule } from './broker/broker.module.js';
import type { EmbeddedBroker } from './broker/embedded-broker.js';
import { ChallengesModule } from './challenges/challenges.module.js';
import { ConfigModule } from './config/config.module.js';
import type { RuntimeConfig } from './config/config.tokens.js';
import { DatabaseModule } from './database/database.module.js';
import { DevicesModule } from './devices/devices.module.js';
import { EventsModule } from './events/events.module.js';
import { EvidenceModule } from './evidence/evidence.module.js';
import { FeedbackModule } from './feedback/feedback.module.js';
import { GeofencesModule } from './geofences/geofences.module.js';
import { HealthModule } from './health/health.module.js';
import { IngestModule } from './ingest/ingest.module.js';
import { KpiModule } from './kpi/kpi.module.js';
import { LiveModule } from './live/live.module.js';
import { RenderingModule } from './rendering/rendering.module.js';
import { ReportsModule } from './reports/reports.module.js';
import { TrialsModule } from './trials/trials.module.js';

@Module({})
export class AppModule {
  static forRoot(config: RuntimeConfig, embeddedBroker: EmbeddedBroker | null = null): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config, embeddedBroker),
        EventsModule,
        RenderingModule,
        DatabaseModule,
        AuthModule,
        AuditModule,
        BrokerModule,
        DevicesModule,
        TrialsModule,
        ChallengesModule,
        GeofencesModule,
        IngestModule,
        LiveModule,
        EvidenceModule,
        ReportsModule,
        FeedbackModule,
        HealthModule,
        KpiModule,
      ],
    };
  }
}
