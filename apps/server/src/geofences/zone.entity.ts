import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryColumn,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import type { LineString, MultiPolygon, Polygon } from 'geojson';

export type ZoneKind = 'safe' | 'danger';
export type ZoneSource = 'survey' | 'drawing' | 'import' | 'migration';

/** A validity window (a possession or a shift): active from `from` (inclusive) to `to` (exclusive). */
export interface ZoneWindow {
  from: string | null;
  to: string | null;
}

/** A geofence's identity and the pointer to its published version; its content lives in ZoneVersionEntity. */
@Entity('zone')
export class ZoneEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('uuid', { name: 'trial_id', nullable: true })
  trialId!: string | null;

  @Column('uuid', { name: 'site_id', nullable: true })
  siteId!: string | null;

  @Column('integer', { name: 'current_version' })
  currentVersion!: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}

/**
 * One immutable version of a zone: `safe` must contain the worker, `danger` must not. Geometry is GeoJSON
 * (WGS84): a Polygon or MultiPolygon, or a LineString centreline with `halfWidthM` (a corridor).
 */
@Entity('zone_version')
export class ZoneVersionEntity {
  @PrimaryColumn('uuid', { name: 'zone_id' })
  zoneId!: string;

  @PrimaryColumn('integer')
  version!: number;

  @Column('text')
  kind!: ZoneKind;

  @Column('jsonb')
  geometry!: Polygon | MultiPolygon | LineString;

  @Column('double precision', { name: 'half_width_m', nullable: true })
  halfWidthM!: number | null;

  /** Device ids or groups; empty applies to every device. */
  @Column('text', { name: 'applies_to', array: true })
  appliesTo!: string[];

  /** Empty: always active. */
  @Column('jsonb')
  windows!: ZoneWindow[];

  @Column('text')
  source!: ZoneSource;

  @Column('text')
  author!: string;

  @Column('text')
  method!: string;

  @Column('text')
  notes!: string;

  @Column('uuid', { name: 'created_by', nullable: true })
  createdBy!: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** What the detector needs of a published zone. */
export interface PublishedZone {
  id: string;
  name: string;
  version: ZoneVersionEntity;
}
