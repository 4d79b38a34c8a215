import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

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

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
