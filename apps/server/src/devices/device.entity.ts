import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** A wearable known to Lookout. Its id is the `{d}` level of its MQTT topics. */
@Entity('device')
export class DeviceEntity {
  @PrimaryColumn('text')
  id!: string;

  @Column('text')
  name!: string;

  /** The payload codec its messages are decoded with (devices/ codec registry name). */
  @Column('text')
  codec!: string;

  /** Groups a zone can apply to, besides the device id itself. */
  @Column('text', { array: true })
  groups!: string[];

  /** The manufacturer's serial number, unique per model. */
  @Column('text', { nullable: true })
  serial!: string | null;

  @Column('uuid', { name: 'model_id', nullable: true })
  modelId!: string | null;

  /** argon2id of the MQTT password issued at enrolment; the password itself is shown once and never stored. */
  @Column('text', { name: 'credential_hash', nullable: true, select: false })
  credentialHash!: string | null;

  @Column('timestamptz', { name: 'credential_issued_at', nullable: true })
  credentialIssuedAt!: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** The configuration fields whose drift from the accepted configuration is flagged. */
export const CONFIG_FIELDS = [
  'hardwareRevision',
  'firmware',
  'appVersion',
  'gnssReceiver',
  'correctionService',
  'alertMode',
] as const;
export type DeviceConfiguration = Record<(typeof CONFIG_FIELDS)[number], string>;

@Entity('device_model')
export class DeviceModelEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('uuid', { name: 'supplier_id' })
  supplierId!: string;

  @Column('text')
  name!: string;

  /** The codec its devices use unless a device says otherwise. */
  @Column('text')
  codec!: string;

  /** The configuration accepted (certified) for this model; null until the sponsor accepts one. */
  @Column('jsonb', { name: 'accepted_config', nullable: true })
  acceptedConfig!: DeviceConfiguration | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/** A device's configuration from `effectiveFrom` until the next one. */
@Entity('device_config')
export class DeviceConfigEntity implements DeviceConfiguration {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column('text', { name: 'device_id' })
  deviceId!: string;

  @Column('text', { name: 'hardware_revision' })
  hardwareRevision!: string;

  @Column('text')
  firmware!: string;

  @Column('text', { name: 'app_version' })
  appVersion!: string;

  @Column('text', { name: 'gnss_receiver' })
  gnssReceiver!: string;

  @Column('text', { name: 'correction_service' })
  correctionService!: string;

  @Column('text', { name: 'alert_mode' })
  alertMode!: string;

  @Column('timestamptz', { name: 'effective_from' })
  effectiveFrom!: Date;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
