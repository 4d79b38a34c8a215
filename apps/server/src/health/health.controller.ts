import { Controller, Get, HttpStatus, Inject, Res } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { Public } from '../auth/auth.decorators.js';
import type { Response } from 'express';
import type { DataSource } from 'typeorm';
import { MqttService } from '../broker/mqtt.service.js';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/config.tokens.js';
import { IngestMetrics } from '../ingest/ingest.metrics.js';

const DATABASE_PROBE_TIMEOUT_MS = 2_000;

/** GET /health: the state of the database and the broker, and ingest counters. 200 when both are up, else 503. */
@Public()
@Controller('health')
export class HealthController {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly mqtt: MqttService,
    private readonly metrics: IngestMetrics,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  @Get()
  async health(@Res({ passthrough: true }) response: Response) {
    const database = await this.probeDatabase();
    const broker = this.mqtt.connected ? 'up' : 'down';
    const ok = database.status === 'up' && broker === 'up';
    response.status(ok ? HttpStatus.OK : HttpStatus.SERVICE_UNAVAILABLE);
    return {
      status: ok ? 'ok' : 'degraded',
      database: { ...database, embedded: this.config.embedded.database },
      broker: { status: broker, embedded: this.config.embedded.broker, url: this.mqtt.brokerUrl },
      ingest: this.metrics.snapshot(),
    };
  }

  private async probeDatabase(): Promise<{ status: 'up' | 'down'; error?: string }> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.dataSource.query('SELECT 1'),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('no answer within 2 s')), DATABASE_PROBE_TIMEOUT_MS);
        }),
      ]);
      return { status: 'up' };
    } catch (error) {
      return { status: 'down', error: (error as Error).message };
    } finally {
      clearTimeout(timer);
    }
  }
}
