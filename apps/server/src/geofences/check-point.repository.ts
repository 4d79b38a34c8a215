import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { CheckPointExpectation } from './check-point.rule.js';
import type { CheckPointInput } from './zone.dto.js';

/** A surveyed position a zone must contain or exclude (table `check_point`). */
export interface CheckPoint {
  id: string;
  zoneId: string;
  name: string;
  lon: number;
  lat: number;
  expected: CheckPointExpectation;
  surveyedBy: string;
  surveyedAt: string;
  accuracyM: number;
  createdAt: string;
}

interface CheckPointRow {
  id: string;
  zone_id: string;
  name: string;
  lon: number;
  lat: number;
  expected: CheckPointExpectation;
  surveyed_by: string;
  surveyed_at: Date;
  accuracy_m: number;
  created_at: Date;
}

const toCheckPoint = (row: CheckPointRow): CheckPoint => ({
  id: row.id,
  zoneId: row.zone_id,
  name: row.name,
  lon: row.lon,
  lat: row.lat,
  expected: row.expected,
  surveyedBy: row.surveyed_by,
  surveyedAt: row.surveyed_at.toISOString(),
  accuracyM: row.accuracy_m,
  createdAt: row.created_at.toISOString(),
});

/** Check points in SQL; callers pass the transaction's manager so reads and writes see the same zone lock. */
@Injectable()
export class CheckPointRepository {
  async forZone(manager: EntityManager, zoneId: string): Promise<CheckPoint[]> {
    const rows: CheckPointRow[] = await manager.query(
      'SELECT * FROM check_point WHERE zone_id = $1 ORDER BY created_at, name',
      [zoneId],
    );
    return rows.map(toCheckPoint);
  }

  async insert(manager: EntityManager, zoneId: string, input: CheckPointInput): Promise<CheckPoint> {
    const rows: CheckPointRow[] = await manager.query(
      `INSERT INTO check_point (zone_id, name, lon, lat, expected, surveyed_by, surveyed_at, accuracy_m)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
      [
        zoneId,
        input.name,
        input.lon,
        input.lat,
        input.expected,
        input.surveyedBy,
        input.surveyedAt,
        input.accuracyM,
      ],
    );
    return toCheckPoint(rows[0]!);
  }
}
