import {
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  OneToMany,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const CHANNEL_TYPES = ['webhook', 'slack', 'dingtalk', 'feishu', 'email'] as const;
export type ChannelType = (typeof CHANNEL_TYPES)[number];

/**
 * What a rule listens for. Each maps from one domain event (see `rule-engine.service.ts`):
 * provider.health.changed → provider.unhealthy / provider.recovered, proxy.health.changed →
 * proxy.down / proxy.recovered, request.completed → model.error_rate / model.latency_p95.
 */
export const ALERT_EVENT_TYPES = [
  'provider.unhealthy',
  'provider.recovered',
  'apikey.invalid',
  'balance.low',
  'proxy.down',
  'proxy.recovered',
  'budget.threshold',
  'budget.exhausted',
  'model.error_rate',
  'model.latency_p95',
] as const;
export type AlertEventType = (typeof ALERT_EVENT_TYPES)[number];

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A place alerts are sent to. Secrets (tokens in URLs, signing keys, SMTP password) are sealed. */
@Entity('alert_channels')
export class AlertChannel {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 100, unique: true })
  name: string;

  @Column({ type: 'varchar', length: 16 })
  type: ChannelType;

  /** Non-secret settings (webhook URL, the host of a bot URL, SMTP host/port/from/to, …). */
  @Column({ type: 'jsonb', default: () => "'{}'" })
  config: Record<string, unknown>;

  /** The channel's secret fields as sealed JSON (AES-256-GCM), or null when it has none. */
  @Column({ type: 'text', nullable: true })
  secretsSealed: string | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** When to alert, and where to. */
@Entity('alert_rules')
export class AlertRule {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 100, unique: true })
  name: string;

  @Column({ type: 'varchar', length: 32 })
  eventType: AlertEventType;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'uuid', array: true, default: () => "'{}'" })
  channelIds: string[];

  /** Same rule and dedupe key within this many seconds → one alert. 0 = no cooldown. */
  @Column({ type: 'int', default: 300 })
  cooldownSeconds: number;

  /** Filter: only this provider (provider and balance events). */
  @Column({ type: 'uuid', nullable: true })
  providerId: string | null;

  /** Filter: only this proxy (proxy events). */
  @Column({ type: 'uuid', nullable: true })
  proxyId: string | null;

  /** Filter: only this public model name (error-rate and latency rules). */
  @Column({ type: 'varchar', length: 200, nullable: true })
  model: string | null;

  /** Error rate in percent (model.error_rate) or p95 latency in ms (model.latency_p95). */
  @Column({ type: 'double precision', nullable: true })
  threshold: number | null;

  /** Sliding window of the error-rate and latency rules. */
  @Column({ type: 'int', default: 300 })
  windowSeconds: number;

  /** Fewer requests than this in the window never fire an error-rate or latency rule. */
  @Column({ type: 'int', default: 20 })
  minRequests: number;

  /** Overrides the event type's default severity. */
  @Column({ type: 'varchar', length: 16, nullable: true })
  severity: Severity | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}

/** One fired alert. Rule and channel ids are plain columns so history outlives deleted rules. */
@Entity('alerts')
@Index(['eventType', 'createdAt'])
export class Alert {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid', nullable: true })
  ruleId: string | null;

  @Column({ type: 'varchar', length: 100 })
  ruleName: string;

  @Column({ type: 'varchar', length: 32 })
  eventType: AlertEventType;

  @Column({ type: 'varchar', length: 16 })
  severity: Severity;

  @Column({ type: 'varchar', length: 300 })
  title: string;

  @Column({ type: 'text' })
  message: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  payload: Record<string, unknown>;

  @Column({ type: 'varchar', length: 300 })
  dedupeKey: string;

  @OneToMany(() => AlertDelivery, (d) => d.alert)
  deliveries?: AlertDelivery[];

  @Index()
  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}

/** One try of a delivery: when, how it went, how long it took. */
export interface DeliveryAttempt {
  attempt: number;
  at: string;
  ok: boolean;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
}

/** An alert × channel: pending → sent, or failed (dead letter) after the last attempt. */
@Entity('alert_deliveries')
export class AlertDelivery {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Index()
  @Column({ type: 'uuid' })
  alertId: string;

  @ManyToOne(() => Alert, (a) => a.deliveries, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'alert_id' })
  alert?: Alert;

  @Column({ type: 'uuid', nullable: true })
  channelId: string | null;

  @Column({ type: 'varchar', length: 100 })
  channelName: string;

  @Column({ type: 'varchar', length: 16 })
  channelType: ChannelType;

  @Index()
  @Column({ type: 'varchar', length: 16, default: 'pending' })
  status: DeliveryStatus;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  history: DeliveryAttempt[];

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
