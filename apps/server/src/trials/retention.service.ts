import {
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { RUNTIME_CONFIG, type RuntimeConfig } from '../config/config.tokens.js';

const BATCH_ROWS = 10_000;

/**
 * A row of location data has expired when it is older than the longest retention of the trials its device
 * was enrolled in at that moment, or than RETENTION_DEFAULT_DAYS (`$2`) when it was in none. `$1` is now.
 */
const EXPIRED = `r.time + make_interval(days => COALESCE(
    (SELECT max(t.retention_days) FROM enrolment e JOIN trial t ON t.id = e.trial_id
      WHERE e.device_id = r.device_id AND e.valid_from <= r.time AND (e.valid_to IS NULL OR r.time < e.valid_to)),
    $2)) < $1`;

/** Deletes location data past its trial's retention period, in batches; runs on a timer and on demand. */
@Injectable()
export class RetentionService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RetentionService.name);
  private timer?: NodeJS.Timeout;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(RUNTIME_CONFIG) private readonly config: RuntimeConfig,
  ) {}

  onApplicationBootstrap(): void {
    const { intervalS } = this.config.retention;
    if (intervalS === 0) return;
    this.timer = setInterval(() => {
      this.run().catch((error: unknown) => this.logger.error(`retention run failed: ${String(error)}`));
    }, intervalS * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** One pass; returns how many rows of each table were deleted. */
  async run(now = new Date()): Promise<{ fixes: number; deviceEvents: number }> {
    const fixes = await this.purge('fix', now);
    const deviceEvents = await this.purge('device_event', now);
    if (fixes + deviceEvents > 0) {
      this.logger.log(`retention: deleted ${fixes} fixes and ${deviceEvents} device events`);
    }
    return { fixes, deviceEvents };
  }

  private async purge(table: 'fix' | 'device_event', now: Date): Promise<number> {
    let total = 0;
    for (;;) {
      const deleted: unknown[] = await this.dataSource.query(
        `DELETE FROM ${table} WHERE ctid IN (
           SELECT r.ctid FROM ${table} r WHERE ${EXPIRED} LIMIT ${BATCH_ROWS})
         RETURNING 1`,
        [now, this.config.retention.defaultDays],
      );
      total += deleted.length;
      if (deleted.length < BATCH_ROWS) return total;
    }
  }
}
