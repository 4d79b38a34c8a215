import { Column, CreateDateColumn, Entity, PrimaryColumn, PrimaryGeneratedColumn } from 'typeorm';

/** numeric columns come back from pg as strings; mileages are small enough for a double. */
const numeric = {
  to: (value: number) => value,
  from: (value: string | null) => (value === null ? null : Number(value)),
};

@Entity('supplier')
export class SupplierEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export type TrialStatus = 'draft' | 'active' | 'closed';

export interface TrialPhase {
  name: string;
  from: string | null;
  to: string | null;
}

@Entity('trial')
export class TrialEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('text') name!: string;
  @Column('text') sponsor!: string;
  @Column('text') status!: TrialStatus;
  @Column('jsonb') phases!: TrialPhase[];
  /** Data-protection impact assessment; no session starts without one. */
  @Column('text', { name: 'dpia_reference', nullable: true }) dpiaReference!: string | null;
  @Column('integer', { name: 'retention_days' }) retentionDays!: number;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('trial_supplier')
export class TrialSupplierEntity {
  @PrimaryColumn('uuid', { name: 'trial_id' }) trialId!: string;
  @PrimaryColumn('uuid', { name: 'supplier_id' }) supplierId!: string;
}

export const ENVIRONMENTS = ['open', 'cutting', 'bridge', 'tunnel-portal', 'station'] as const;

@Entity('site')
export class SiteEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'trial_id' }) trialId!: string;
  @Column('text') name!: string;
  @Column('text') route!: string;
  /** Engineer's line reference, e.g. ECM1. */
  @Column('text') elr!: string;
  @Column('numeric', { name: 'mileage_from', transformer: numeric }) mileageFrom!: number;
  @Column('numeric', { name: 'mileage_to', transformer: numeric }) mileageTo!: number;
  @Column('text') environment!: (typeof ENVIRONMENTS)[number];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

/** A pseudonymous worker: a code per trial, never a name. */
@Entity('worker')
export class WorkerEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'trial_id' }) trialId!: string;
  @Column('text') code!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('enrolment')
export class EnrolmentEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'trial_id' }) trialId!: string;
  @Column('text', { name: 'device_id' }) deviceId!: string;
  @Column('uuid', { name: 'worker_id', nullable: true }) workerId!: string | null;
  @Column('timestamptz', { name: 'valid_from' }) validFrom!: Date;
  @Column('timestamptz', { name: 'valid_to', nullable: true }) validTo!: Date | null;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

@Entity('scenario')
export class ScenarioEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'trial_id' }) trialId!: string;
  @Column('text') name!: string;
  @Column('text') description!: string;
  @Column('jsonb') steps!: string[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export type SessionStatus = 'planned' | 'running' | 'completed' | 'aborted';

@Entity('session')
export class SessionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'trial_id' }) trialId!: string;
  @Column('uuid', { name: 'site_id' }) siteId!: string;
  @Column('uuid', { name: 'scenario_id', nullable: true }) scenarioId!: string | null;
  @Column('timestamptz', { name: 'planned_start' }) plannedStart!: Date;
  @Column('timestamptz', { name: 'planned_end' }) plannedEnd!: Date;
  @Column('timestamptz', { name: 'actual_start', nullable: true }) actualStart!: Date | null;
  @Column('timestamptz', { name: 'actual_end', nullable: true }) actualEnd!: Date | null;
  @Column('text') status!: SessionStatus;
  @Column('text', { name: 'device_ids', array: true }) deviceIds!: string[];
  @Column('uuid', { name: 'worker_ids', array: true }) workerIds!: string[];
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}

export const COMPARATORS = ['<', '<=', '>', '>=', '='] as const;

/** A success criterion, fixed before the trial starts (the database refuses changes once it is active). */
@Entity('criterion')
export class CriterionEntity {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid', { name: 'trial_id' }) trialId!: string;
  @Column('text') metric!: string;
  @Column('text') comparator!: (typeof COMPARATORS)[number];
  @Column('double precision') threshold!: number;
  @Column('text') unit!: string;
  @Column('text') description!: string;
  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' }) createdAt!: Date;
}
