import type { MultiPolygon, Polygon } from 'geojson';
import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ZoneKind = 'safe' | 'danger';

/** A geofence: `safe` must contain the worker, `danger` must not. Geometry is GeoJSON (WGS84) in jsonb. */
@Entity('zone')
export class ZoneEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text')
  name!: string;

  @Column('text')
  kind!: ZoneKind;

  @Column('integer')
  version!: number;

  @Column('jsonb')
  geometry!: Polygon | MultiPolygon;

  /** Device ids or groups; empty applies to every device. */
  @Column('text', { name: 'applies_to', array: true })
  appliesTo!: string[];

  @Column('timestamptz', { name: 'valid_from', nullable: true })
  validFrom!: Date | null;

  @Column('timestamptz', { name: 'valid_to', nullable: true })
  validTo!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt!: Date;
}
