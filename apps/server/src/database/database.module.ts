import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/config.tokens.js';
import { UserEntity } from '../auth/user.entity.js';
import { DeviceConfigEntity, DeviceEntity, DeviceModelEntity } from '../devices/device.entity.js';
import { ZoneEntity, ZoneVersionEntity } from '../geofences/zone.entity.js';
import {
  CriterionEntity,
  EnrolmentEntity,
  ScenarioEntity,
  SessionEntity,
  SiteEntity,
  SupplierEntity,
  TrialEntity,
  TrialSupplierEntity,
  WorkerEntity,
} from '../trials/trials.entities.js';
import { MIGRATIONS } from './migrations/index.js';

/** Every entity, listed explicitly (no globs: the same list works from src in tests and from dist). */
export const ENTITIES = [
  UserEntity,
  SupplierEntity,
  TrialEntity,
  TrialSupplierEntity,
  SiteEntity,
  WorkerEntity,
  EnrolmentEntity,
  ScenarioEntity,
  SessionEntity,
  CriterionEntity,
  DeviceModelEntity,
  DeviceEntity,
  DeviceConfigEntity,
  ZoneEntity,
  ZoneVersionEntity,
];

/** TypeORM over PostgreSQL. The schema changes only through migrations, which run at start. */
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [RUNTIME_CONFIG],
      useFactory: (config: RuntimeConfig) => ({
        type: 'postgres' as const,
        url: config.databaseUrl,
        entities: ENTITIES,
        migrations: MIGRATIONS,
        migrationsRun: true,
        migrationsTransactionMode: 'each' as const,
        synchronize: false,
        retryAttempts: 3,
        retryDelay: 1000,
        // A query may never hang ingest: statement_timeout (57014) is retried like any outage.
        extra: { max: 10, connectionTimeoutMillis: 5_000, statement_timeout: 30_000, query_timeout: 35_000 },
      }),
    }),
  ],
})
export class DatabaseModule {}
