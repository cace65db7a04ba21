import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const PROXY_SCHEMES = ['http', 'https', 'socks5'] as const;
export type ProxyScheme = (typeof PROXY_SCHEMES)[number];

/** One outbound proxy of the pool. Credentials are sealed; the URL is stored without them. */
@Entity('proxies')
export class Proxy {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ type: 'varchar', length: 100, unique: true })
  name: string;

  /** `scheme://host:port`, never with credentials. */
  @Column({ type: 'varchar', length: 500 })
  url: string;

  /** `{ username, password }` sealed with SecretBox (AES-256-GCM JSON), or null. */
  @Column({ type: 'text', nullable: true })
  authSealed: string | null;

  @Column({ type: 'boolean', default: true })
  enabled: boolean;

  @Column({ type: 'int', default: 1 })
  weight: number;

  @Column({ type: 'text', array: true, default: () => "'{}'" })
  tags: string[];

  /** Where its health check goes (default: the base URL of a provider that uses it). */
  @Column({ type: 'varchar', length: 500, nullable: true })
  checkUrl: string | null;

  @Column({ type: 'varchar', length: 16, default: 'unknown' })
  lastStatus: string;

  @Column({ type: 'int', nullable: true })
  lastLatencyMs: number | null;

  @Column({ type: 'text', nullable: true })
  lastError: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastCheckedAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
