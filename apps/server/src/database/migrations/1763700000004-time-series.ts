import { Logger } from '@nestjs/common';
import type { MigrationInterface, QueryRunner } from 'typeorm';

const logger = new Logger('TimeSeriesMigration');

/** Data older than this is dropped by TimescaleDB whatever the trial (Lookout's own job applies trial retention). */
const HARD_RETENTION = "INTERVAL '730 days'";
const COMPRESS_AFTER = "INTERVAL '7 days'";

/**
 * The time series: `fix` and `device_event` become TimescaleDB hypertables when the extension is available,
 * with compression, a hard retention cap and a continuous aggregate of per-device minutes. Without it they
 * stay plain tables with BRIN indexes on time, and `fix_device_minute` is an ordinary view over the same
 * `date_bin` buckets, so every query runs on both.
 *
 * The Apache-licensed TimescaleDB (`SHOW timescaledb.license` = apache) has hypertables but no compression,
 * retention policies or continuous aggregates: then only the hypertables are made, the rest is skipped with
 * a log line, and retention is left to Lookout's own job.
 */
export class TimeSeries1763700000004 implements MigrationInterface {
  name = 'TimeSeries1763700000004';
  /** CREATE MATERIALIZED VIEW … WITH (timescaledb.continuous) cannot run inside a transaction. */
  transaction = false as const;

  async up(q: QueryRunner): Promise<void> {
    const available: unknown[] = await q.query(
      `SELECT 1 FROM pg_available_extensions WHERE name = 'timescaledb'`,
    );
    if (available.length === 0) {
      logger.log('timescaledb is not available: fix and device_event stay plain tables with BRIN indexes');
      return this.plainAggregate(q);
    }
    await q.query(`CREATE EXTENSION IF NOT EXISTS timescaledb`);
    for (const table of ['fix', 'device_event']) {
      await q.query(
        `SELECT create_hypertable('${table}', 'time', migrate_data => true, if_not_exists => true)`,
      );
    }
    const [{ timescaledb_license: license }] = (await q.query(`SHOW timescaledb.license`)) as {
      timescaledb_license: string;
    }[];
    if (license === 'apache') {
      logger.warn(
        'TimescaleDB is the Apache-licensed edition: hypertables made; compression, retention policy and ' +
          "continuous aggregate skipped (Lookout's retention job still applies)",
      );
      return this.plainAggregate(q);
    }
    await q.query(`ALTER TABLE fix SET (timescaledb.compress, timescaledb.compress_segmentby = 'device_id')`);
    await q.query(`SELECT add_compression_policy('fix', ${COMPRESS_AFTER}, if_not_exists => true)`);
    for (const table of ['fix', 'device_event']) {
      await q.query(`SELECT add_retention_policy('${table}', ${HARD_RETENTION}, if_not_exists => true)`);
    }
    await q.query(`
      CREATE MATERIALIZED VIEW fix_device_minute WITH (timescaledb.continuous) AS
      SELECT time_bucket(INTERVAL '1 minute', time) AS minute, device_id, count(*) AS fixes,
             avg(accuracy_m) AS mean_accuracy_m, max(accuracy_m) AS max_accuracy_m
      FROM fix GROUP BY 1, 2 WITH NO DATA`);
    await q.query(`
      SELECT add_continuous_aggregate_policy('fix_device_minute', start_offset => INTERVAL '1 day',
        end_offset => INTERVAL '1 minute', schedule_interval => INTERVAL '1 minute')`);
    logger.log('TimescaleDB: hypertables, compression, retention cap and continuous aggregate in place');
  }

  /** The same per-device minutes as a plain view, computed on read. */
  private async plainAggregate(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE VIEW fix_device_minute AS
      SELECT date_bin(INTERVAL '1 minute', time, TIMESTAMPTZ '2000-01-01') AS minute, device_id, count(*) AS fixes,
             avg(accuracy_m) AS mean_accuracy_m, max(accuracy_m) AS max_accuracy_m
      FROM fix GROUP BY 1, 2`);
  }

  async down(q: QueryRunner): Promise<void> {
    const continuous: unknown[] = await q.query(`SELECT 1 FROM pg_extension WHERE extname = 'timescaledb'`);
    if (continuous.length > 0) await q.query(`DROP MATERIALIZED VIEW IF EXISTS fix_device_minute`);
    await q.query(`DROP VIEW IF EXISTS fix_device_minute`);
  }
}
