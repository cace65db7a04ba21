import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, Repository } from 'typeorm';
import { maskSecret, SecretBoxService } from '../common/crypto/secret-box';
import { CacheBus } from '../common/redis/cache-bus.service';
import { AlertChannel, ChannelType } from './alert.entity';
import { ChannelTestView, ChannelView, CreateChannelDto, UpdateChannelDto } from './dto/channel.dto';
import { ChannelSecrets, channelProblems, secretKeys } from './senders/channel-config';
import { ChannelSender, OpenChannel } from './senders/channel-sender';
import { AlertTargetGuard } from './senders/target-guard';

/** Topic on the cache bus when alert channels or rules change. */
export const ALERTS_CHANGED = 'alerts';

/** Masks a secret for display; URLs keep their origin so admins can tell them apart. */
export function maskChannelSecret(value: string): string {
  if (/^https?:\/\//i.test(value)) {
    try {
      const u = new URL(value);
      return `${u.origin}/…${value.slice(-4)}`;
    } catch {
      /* fall through */
    }
  }
  return maskSecret(value);
}

/** The decrypted secret fields of a channel (for sending only). */
export function openSecrets(box: SecretBoxService, c: AlertChannel): ChannelSecrets {
  return c.secretsSealed ? (JSON.parse(box.decrypt(c.secretsSealed)) as ChannelSecrets) : {};
}

export function openChannel(box: SecretBoxService, c: AlertChannel): OpenChannel {
  return { type: c.type, config: c.config, secrets: openSecrets(box, c) };
}

/**
 * Alert channels. Secret fields are sealed with ENCRYPTION_KEY and only ever returned masked; bot
 * URLs (which carry their tokens) are secrets, and their host is kept in `config.host` for display.
 */
@Injectable()
export class ChannelsService {
  constructor(
    @InjectRepository(AlertChannel) private readonly channels: Repository<AlertChannel>,
    private readonly dataSource: DataSource,
    private readonly box: SecretBoxService,
    private readonly bus: CacheBus,
    private readonly sender: ChannelSender,
    private readonly guard: AlertTargetGuard,
  ) {}

  toView(c: AlertChannel): ChannelView {
    const secrets = openSecrets(this.box, c);
    return {
      id: c.id,
      name: c.name,
      type: c.type,
      config: c.config,
      secrets: Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, maskChannelSecret(v)])),
      enabled: c.enabled,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
  }

  list(): Promise<AlertChannel[]> {
    return this.channels.find({ order: { name: 'ASC' } });
  }

  async get(id: string): Promise<AlertChannel> {
    const c = await this.channels.findOne({ where: { id } });
    if (!c) throw new NotFoundException('Alert channel not found');
    return c;
  }

  async create(dto: CreateChannelDto): Promise<AlertChannel> {
    const secrets = this.mergeSecrets(dto.type, {}, dto.secrets);
    const config = await this.checked(dto.type, dto.config ?? {}, secrets);
    await this.assertNameFree(dto.name);
    const saved = await this.channels.save(
      this.channels.create({
        name: dto.name,
        type: dto.type,
        config,
        secretsSealed: this.seal(secrets),
        enabled: dto.enabled ?? true,
      }),
    );
    await this.bus.publish(ALERTS_CHANGED, 'channels');
    return saved;
  }

  async update(id: string, dto: UpdateChannelDto): Promise<AlertChannel> {
    const c = await this.get(id);
    if (dto.name !== undefined && dto.name !== c.name) await this.assertNameFree(dto.name, id);
    if (dto.config !== undefined || dto.secrets !== undefined) {
      const secrets = this.mergeSecrets(c.type, openSecrets(this.box, c), dto.secrets);
      const base = dto.config ?? withoutDerived(c.type, c.config);
      c.config = await this.checked(c.type, base, secrets);
      c.secretsSealed = this.seal(secrets);
    }
    if (dto.name !== undefined) c.name = dto.name;
    if (dto.enabled !== undefined) c.enabled = dto.enabled;
    const saved = await this.channels.save(c);
    await this.bus.publish(ALERTS_CHANGED, 'channels');
    return saved;
  }

  /** Deletes the channel and takes it out of every rule; past deliveries keep its name. */
  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.dataSource.transaction(async (m) => {
      await m.query(
        'UPDATE alert_rules SET channel_ids = array_remove(channel_ids, $1::uuid) WHERE $1::uuid = ANY(channel_ids)',
        [id],
      );
      await m.delete(AlertChannel, { id });
    });
    await this.bus.publish(ALERTS_CHANGED, 'channels');
  }

  /** Sends a test message now and reports how it went (the channel may be disabled). */
  async test(id: string): Promise<ChannelTestView> {
    const c = await this.get(id);
    return this.sender.send(openChannel(this.box, c), {
      id: `test-${randomUUID()}`,
      eventType: 'test',
      severity: 'info',
      title: `Test message from LLM Router Platform (${c.name})`,
      message: `If you can read this, the ${c.type} channel "${c.name}" works.`,
      createdAt: new Date(),
      payload: { channelId: c.id },
      rule: null,
    });
  }

  private async assertNameFree(name: string, exceptId?: string): Promise<void> {
    const clash = await this.channels.findOne({ where: { name } });
    if (clash && clash.id !== exceptId) throw new ConflictException(`name "${name}" is already used`);
  }

  /** Applies a secrets patch: strings replace, null removes; unknown keys are refused. */
  private mergeSecrets(
    type: ChannelType,
    current: ChannelSecrets,
    patch: Record<string, string | null> | undefined,
  ): ChannelSecrets {
    const allowed = secretKeys(type);
    const next: ChannelSecrets = { ...current };
    const problems: string[] = [];
    for (const [k, v] of Object.entries(patch ?? {})) {
      if (!allowed.includes(k))
        problems.push(`secrets.${k} is not a secret of ${type} channels (${allowed.join(', ')})`);
      else if (v === null) delete next[k];
      else if (typeof v !== 'string') problems.push(`secrets.${k} must be a string`);
      else next[k] = v;
    }
    if (problems.length) throw new BadRequestException(problems);
    return next;
  }

  /**
   * Validates config + secrets for the type, then the target against the SSRF guard (a host that is,
   * or resolves to, a non-public address is refused unless ALERT_ALLOW_PRIVATE_TARGETS allows it);
   * adds the derived display `host` for bot URLs.
   */
  private async checked(
    type: ChannelType,
    config: Record<string, unknown>,
    secrets: ChannelSecrets,
  ): Promise<Record<string, unknown>> {
    const clean = withoutDerived(type, config);
    const problems = channelProblems(type, clean, secrets);
    if (problems.length) throw new BadRequestException(problems);
    const target = channelTarget(type, clean, secrets);
    const refusal = target ? await this.guard.check(target.host) : null;
    if (target && refusal) throw new BadRequestException([`${target.field}: ${refusal}`]);
    if (BOT_TYPES.includes(type) && secrets.webhookUrl)
      return { ...clean, host: new URL(secrets.webhookUrl).host };
    return clean;
  }

  private seal(secrets: ChannelSecrets): string | null {
    return Object.keys(secrets).length ? this.box.encrypt(JSON.stringify(secrets)) : null;
  }
}

/** Channels whose URL (with its token) is a secret; `config.host` shows its host. */
const BOT_TYPES: ChannelType[] = ['slack', 'dingtalk', 'feishu'];

/** Where a (validated) channel sends to: the field that names it and the host to check. */
function channelTarget(
  type: ChannelType,
  config: Record<string, unknown>,
  secrets: ChannelSecrets,
): { field: string; host: string } | null {
  if (type === 'email') return { field: 'config.host', host: String(config.host) };
  if (type === 'webhook') return { field: 'config.url', host: new URL(String(config.url)).hostname };
  return secrets.webhookUrl
    ? { field: 'secrets.webhookUrl', host: new URL(secrets.webhookUrl).hostname }
    : null;
}

/** A bot channel's `host` is derived from its URL, never taken from input. */
function withoutDerived(type: ChannelType, config: Record<string, unknown>): Record<string, unknown> {
  if (!BOT_TYPES.includes(type)) return config;
  const rest = { ...config };
  delete rest.host;
  return rest;
}
