import {
  BadRequestException,
  ConflictException,
  Injectable,
  Logger,
  NotFoundException,
  OnModuleInit,
} from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { In, Repository } from 'typeorm';
import { CacheBus } from '../common/redis/cache-bus.service';
import { AlertChannel, AlertEventType, AlertRule } from './alert.entity';
import { ALERTS_CHANGED } from './channels.service';
import { CreateRuleDto, RuleView, UpdateRuleDto } from './dto/rule.dto';

export const METRIC_EVENT_TYPES: readonly AlertEventType[] = ['model.error_rate', 'model.latency_p95'];

/**
 * Alert rules, with an in-memory copy of the enabled ones indexed by event type. The copy is rebuilt
 * on the cache-bus topic `alerts` (every instance), so matching an event never queries the database.
 */
@Injectable()
export class RulesService implements OnModuleInit {
  private readonly logger = new Logger('AlertRules');
  private byEvent = new Map<AlertEventType, AlertRule[]>();
  private metric: AlertRule[] = [];
  /** Bumped on every reload (the rule engine resets its metric windows when it changes). */
  version = 0;
  private loading: Promise<void> | null = null;
  private dirty = false;
  private readonly reloadListeners: (() => void)[] = [];

  constructor(
    @InjectRepository(AlertRule) private readonly rules: Repository<AlertRule>,
    @InjectRepository(AlertChannel) private readonly channels: Repository<AlertChannel>,
    private readonly bus: CacheBus,
  ) {}

  async onModuleInit(): Promise<void> {
    this.bus.on(ALERTS_CHANGED, () => this.reload());
    await this.reload();
  }

  /** Enabled rules for one event type (from memory). */
  matching(type: AlertEventType): readonly AlertRule[] {
    return this.byEvent.get(type) ?? [];
  }

  /** Enabled error-rate and latency rules (from memory). */
  metricRules(): readonly AlertRule[] {
    return this.metric;
  }

  /** Calls `fn` after every reload of the in-memory rules. */
  onReload(fn: () => void): void {
    this.reloadListeners.push(fn);
  }

  /** Reloads the cache; reloads requested while one runs are merged into one more. */
  reload(): Promise<void> {
    if (this.loading) {
      this.dirty = true;
      return this.loading;
    }
    this.loading = (async () => {
      do {
        this.dirty = false;
        try {
          const enabled = await this.rules.find({ where: { enabled: true }, order: { createdAt: 'ASC' } });
          const map = new Map<AlertEventType, AlertRule[]>();
          for (const r of enabled) map.set(r.eventType, [...(map.get(r.eventType) ?? []), r]);
          this.byEvent = map;
          this.metric = enabled.filter((r) => METRIC_EVENT_TYPES.includes(r.eventType));
          this.version++;
          for (const fn of this.reloadListeners) fn();
        } catch (e) {
          this.logger.warn(`could not load alert rules: ${(e as Error).message}`);
        }
      } while (this.dirty);
    })().finally(() => (this.loading = null));
    return this.loading;
  }

  toView(r: AlertRule): RuleView {
    return {
      id: r.id,
      name: r.name,
      eventType: r.eventType,
      enabled: r.enabled,
      channelIds: r.channelIds,
      cooldownSeconds: r.cooldownSeconds,
      providerId: r.providerId,
      proxyId: r.proxyId,
      model: r.model,
      threshold: r.threshold,
      windowSeconds: r.windowSeconds,
      minRequests: r.minRequests,
      severity: r.severity,
      createdAt: r.createdAt,
      updatedAt: r.updatedAt,
    };
  }

  list(): Promise<AlertRule[]> {
    return this.rules.find({ order: { name: 'ASC' } });
  }

  async get(id: string): Promise<AlertRule> {
    const r = await this.rules.findOne({ where: { id } });
    if (!r) throw new NotFoundException('Alert rule not found');
    return r;
  }

  async create(dto: CreateRuleDto): Promise<AlertRule> {
    const rule = this.rules.create({
      name: dto.name,
      eventType: dto.eventType,
      enabled: dto.enabled ?? true,
      channelIds: unique(dto.channelIds ?? []),
      cooldownSeconds: dto.cooldownSeconds ?? 300,
      providerId: dto.providerId ?? null,
      proxyId: dto.proxyId ?? null,
      model: dto.model ?? null,
      threshold: dto.threshold ?? null,
      windowSeconds: dto.windowSeconds ?? 300,
      minRequests: dto.minRequests ?? 20,
      severity: dto.severity ?? null,
    });
    await this.check(rule);
    const saved = await this.rules.save(rule);
    await this.bus.publish(ALERTS_CHANGED, 'rules');
    return saved;
  }

  async update(id: string, dto: UpdateRuleDto): Promise<AlertRule> {
    const rule = await this.get(id);
    const patch = { ...dto, ...(dto.channelIds ? { channelIds: unique(dto.channelIds) } : {}) };
    for (const [k, v] of Object.entries(patch)) {
      if (v !== undefined) (rule as unknown as Record<string, unknown>)[k] = v;
    }
    await this.check(rule);
    const saved = await this.rules.save(rule);
    await this.bus.publish(ALERTS_CHANGED, 'rules');
    return saved;
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.rules.delete({ id });
    await this.bus.publish(ALERTS_CHANGED, 'rules');
  }

  /** Cross-field rules: thresholds for metric rules, filters that fit the event, known channels. */
  private async check(r: AlertRule): Promise<void> {
    const problems: string[] = [];
    const metric = METRIC_EVENT_TYPES.includes(r.eventType);
    if (metric && (r.threshold === null || r.threshold === undefined))
      problems.push(`threshold is required for ${r.eventType} rules`);
    if (r.eventType === 'model.error_rate' && r.threshold !== null && r.threshold > 100)
      problems.push('threshold of model.error_rate is a percentage (0–100)');
    if (!metric && r.threshold !== null)
      problems.push(`threshold only applies to model.error_rate and model.latency_p95`);
    if (r.model && !metric) problems.push('model only applies to model.error_rate and model.latency_p95');
    if (r.proxyId && !r.eventType.startsWith('proxy.')) problems.push('proxyId only applies to proxy events');
    if (r.providerId && !(r.eventType.startsWith('provider.') || r.eventType === 'balance.low'))
      problems.push('providerId only applies to provider and balance.low events');
    if (r.channelIds.length) {
      const found = await this.channels.find({ where: { id: In(r.channelIds) }, select: { id: true } });
      const known = new Set(found.map((c) => c.id));
      const missing = r.channelIds.filter((id) => !known.has(id));
      if (missing.length) problems.push(`unknown channel ids: ${missing.join(', ')}`);
    }
    if (problems.length) throw new BadRequestException(problems);
    const clash = await this.rules.findOne({ where: { name: r.name } });
    if (clash && clash.id !== r.id) throw new ConflictException(`name "${r.name}" is already used`);
  }
}

function unique(ids: string[]): string[] {
  return [...new Set(ids.map((id) => id.toLowerCase()))];
}
