import {
  ConflictException,
  ForbiddenException,
  Inject,
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationShutdown,
  OnModuleInit,
} from '@nestjs/common';
import { EventEmitter2 } from '@nestjs/event-emitter';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { ApiKey } from '../api-keys/api-key.entity';
import type { AuthUser } from '../auth/decorators';
import { BudgetEvent, DomainEvents } from '../common/events/domain-events';
import { isUniqueViolation } from '../common/filters/db-errors';
import { CacheBus } from '../common/redis/cache-bus.service';
import { AppConfig } from '../config/app-config';
import { Tenant } from '../users/tenant.entity';
import { User } from '../users/user.entity';
import { Budget } from './budget.entity';
import { COUNTERS } from './counter-store.provider';
import { crossedThresholds, fromNano, toNano } from './cost';
import { BudgetSlot, CounterStore, Lease, leaseFor } from './counters';
import { BudgetQueryDto, CreateBudgetDto, UpdateBudgetDto } from './dto/budget.dto';
import { periodEnd, periodStart } from './periods';
import { UsageRollup } from './usage-rollup.entity';

const TOPIC = 'budgets';
const DAY = 86_400_000;
const WARM_EVERY_MS = 5 * 60_000;

/** Who a request is billed to (all from the API key cache). */
export interface BillingSubject {
  keyId: string;
  userId: string;
  tenantId: string;
}

/** The budgets a request reserved on, to settle when it completes. */
export interface BudgetHold {
  budgets: Budget[];
  slots: BudgetSlot[];
  estNano: number;
  lease: Lease;
}

export type BudgetCheck =
  { ok: true; hold: BudgetHold | null } | { ok: false; budget: Budget; spentUsd: number };

export interface BudgetView extends Budget {
  scopeName: string;
  periodStart: string;
  periodEnd: string | null;
  spentUsd: number;
  reservedUsd: number;
  remainingUsd: number;
}

/**
 * Budgets on API keys, users and tenants. The request path reserves an estimate on every budget that
 * applies (atomically, all or none — Redis Lua with several instances, in-process otherwise) and
 * settles the actual cost when the request completes. Counters are warmed from the usage ledger (its
 * hourly sums) at start, on every change and every five minutes, so a restart does not forget what was spent.
 */
@Injectable()
export class BudgetsService implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Budgets');
  /** `scope:scopeId` → enabled budgets. */
  private index = new Map<string, Budget[]>();
  private names = new Map<string, string>();
  private warmTimer?: NodeJS.Timeout;

  constructor(
    @InjectRepository(Budget) private readonly budgets: Repository<Budget>,
    @InjectRepository(UsageRollup) private readonly usage: Repository<UsageRollup>,
    @InjectRepository(ApiKey) private readonly keys: Repository<ApiKey>,
    @InjectRepository(User) private readonly users: Repository<User>,
    @InjectRepository(Tenant) private readonly tenants: Repository<Tenant>,
    @Inject(COUNTERS) private readonly counters: CounterStore,
    private readonly bus: CacheBus,
    private readonly events: EventEmitter2,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    this.bus.on(TOPIC, () => this.reload());
    await this.reload();
    this.warmTimer = setInterval(() => void this.warm(), WARM_EVERY_MS);
    this.warmTimer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.warmTimer);
  }

  async reload(): Promise<void> {
    const rows = await this.budgets.find({ where: { enabled: true } });
    const index = new Map<string, Budget[]>();
    for (const b of rows) {
      const k = `${b.scope}:${b.scopeId}`;
      index.set(k, [...(index.get(k) ?? []), b]);
    }
    this.index = index;
    this.names = await this.scopeNames(rows);
    await this.warm();
  }

  /**
   * Raises every current-period counter to what the ledger already holds, read from its hourly sums
   * (a period starts on a UTC day, so its hours are whole; the current hour's row holds every batch
   * written so far).
   */
  async warm(): Promise<void> {
    const now = Date.now();
    for (const list of this.index.values()) {
      for (const b of list) {
        try {
          const from = periodStart(b.period, now);
          const column = b.scope === 'key' ? 'api_key_id' : b.scope === 'user' ? 'user_id' : 'tenant_id';
          const rows: { s: string | null }[] = await this.usage.query(
            `SELECT SUM(cost_usd)::text AS s FROM usage_rollups WHERE ${column} = $1 AND bucket >= $2`,
            [b.scopeId, new Date(from)],
          );
          await this.counters.floor(this.slot(b, now), toNano(Number(rows[0]?.s ?? 0)));
        } catch (e) {
          this.logger.warn(`could not warm budget ${b.id}: ${(e as Error).message}`);
        }
      }
    }
  }

  private slot(b: Budget, now: number): BudgetSlot {
    const start = periodStart(b.period, now);
    const end = periodEnd(b.period, start);
    return {
      key: `budget:${b.id}:${start}`,
      limitNano: toNano(b.amountUsd),
      ttlMs: Number.isFinite(end) ? end - now + DAY : 0,
    };
  }

  /** Whether any budget applies to this subject (lets the gateway skip estimation entirely). */
  applies(s: BillingSubject): boolean {
    return (
      this.index.size > 0 &&
      (this.index.has(`key:${s.keyId}`) ||
        this.index.has(`user:${s.userId}`) ||
        this.index.has(`tenant:${s.tenantId}`))
    );
  }

  /** Reserves `estUsd` on every budget of the subject, or names the one that is exhausted. */
  async reserve(s: BillingSubject, estUsd: number): Promise<BudgetCheck> {
    const budgets = [
      ...(this.index.get(`key:${s.keyId}`) ?? []),
      ...(this.index.get(`user:${s.userId}`) ?? []),
      ...(this.index.get(`tenant:${s.tenantId}`) ?? []),
    ];
    if (!budgets.length) return { ok: true, hold: null };
    const now = Date.now();
    const slots = budgets.map((b) => this.slot(b, now));
    const estNano = toNano(estUsd);
    // The reservation lapses by itself after BUDGET_RESERVATION_TTL_MS if this instance dies first.
    const lease = leaseFor(now, this.config.budgetReservationTtlMs);
    const r = await this.counters.reserve(slots, estNano, lease);
    if (!r.ok) return { ok: false, budget: budgets[r.index], spentUsd: fromNano(r.spentNano) };
    return { ok: true, hold: { budgets, slots, estNano, lease } };
  }

  /** Releases the reservation, adds the actual cost and raises threshold / exhaustion events. */
  async settle(hold: BudgetHold, costUsd: number): Promise<void> {
    const results = await this.counters.settle(hold.slots, hold.estNano, toNano(costUsd), hold.lease);
    results.forEach((r, i) => {
      const b = hold.budgets[i];
      const limitNano = hold.slots[i].limitNano;
      for (const pct of crossedThresholds(b.thresholds, limitNano, r.beforeNano, r.afterNano)) {
        const event: BudgetEvent = {
          budgetId: b.id,
          scope: b.scope,
          scopeId: b.scopeId,
          scopeName: this.names.get(`${b.scope}:${b.scopeId}`) ?? b.scopeId,
          tenantId: b.tenantId,
          period: b.period,
          periodStart: new Date(periodStart(b.period, Date.now())),
          limitUsd: b.amountUsd,
          spentUsd: fromNano(r.afterNano),
          thresholdPct: pct,
        };
        this.events.emit(pct >= 100 ? DomainEvents.BudgetExhausted : DomainEvents.BudgetThreshold, event);
      }
    });
  }

  // ---- admin ---------------------------------------------------------------------------------

  async list(actor: AuthUser, q: BudgetQueryDto & { id?: string }): Promise<BudgetView[]> {
    const qb = this.budgets.createQueryBuilder('b').orderBy('b.createdAt', 'DESC');
    if (q.id) qb.andWhere('b.id = :id', { id: q.id });
    if (q.scope) qb.andWhere('b.scope = :scope', { scope: q.scope });
    if (q.scopeId) qb.andWhere('b.scopeId = :sid', { sid: q.scopeId });
    if (actor.role !== 'admin') {
      // Everyone else sees the budgets that apply to them: their keys, themselves, their tenant.
      qb.andWhere(
        `((b.scope = 'key' AND b.scopeId IN (SELECT id FROM api_keys WHERE user_id = :uid))
          OR (b.scope = 'user' AND b.scopeId = :uid) OR (b.scope = 'tenant' AND b.scopeId = :tid))`,
        { uid: actor.id, tid: actor.tenantId },
      );
    }
    return this.views(await qb.getMany());
  }

  async get(actor: AuthUser, id: string): Promise<BudgetView> {
    const [b] = await this.list(actor, { id });
    if (!b) throw new NotFoundException('Budget not found');
    return b;
  }

  async create(dto: CreateBudgetDto): Promise<BudgetView> {
    const tenantId = await this.tenantOf(dto.scope, dto.scopeId);
    const row = this.budgets.create({
      scope: dto.scope,
      scopeId: dto.scopeId,
      tenantId,
      period: dto.period,
      amountUsd: dto.amountUsd,
      thresholds: [...new Set(dto.thresholds ?? [80])].sort((a, b) => a - b),
      enabled: dto.enabled ?? true,
    });
    const saved = await this.save(row);
    await this.bus.publish(TOPIC);
    return (await this.views([saved]))[0];
  }

  async update(id: string, dto: UpdateBudgetDto): Promise<BudgetView> {
    const row = await this.budgets.findOne({ where: { id } });
    if (!row) throw new NotFoundException('Budget not found');
    if (dto.amountUsd !== undefined) row.amountUsd = dto.amountUsd;
    if (dto.period !== undefined) row.period = dto.period;
    if (dto.thresholds !== undefined) row.thresholds = [...new Set(dto.thresholds)].sort((a, b) => a - b);
    if (dto.enabled !== undefined) row.enabled = dto.enabled;
    const saved = await this.save(row);
    await this.bus.publish(TOPIC);
    return (await this.views([saved]))[0];
  }

  async remove(id: string): Promise<void> {
    const res = await this.budgets.delete(id);
    if (!res.affected) throw new NotFoundException('Budget not found');
    await this.bus.publish(TOPIC);
  }

  private async save(row: Budget): Promise<Budget> {
    try {
      return await this.budgets.save(row);
    } catch (e) {
      if (isUniqueViolation(e))
        throw new ConflictException(`A ${row.period} budget for this ${row.scope} already exists`);
      throw e;
    }
  }

  private async tenantOf(scope: Budget['scope'], id: string): Promise<string> {
    if (scope === 'tenant') {
      if (!(await this.tenants.exist({ where: { id } }))) throw new NotFoundException('Tenant not found');
      return id;
    }
    if (scope === 'user') {
      const u = await this.users.findOne({ where: { id } });
      if (!u) throw new NotFoundException('User not found');
      return u.tenantId;
    }
    const k = await this.keys.findOne({ where: { id }, relations: { user: true } });
    if (!k || !k.user) throw new NotFoundException('API key not found');
    return k.user.tenantId;
  }

  private async scopeNames(rows: Budget[]): Promise<Map<string, string>> {
    const ids = (scope: string) => [...new Set(rows.filter((b) => b.scope === scope).map((b) => b.scopeId))];
    const out = new Map<string, string>();
    const [keys, users, tenants] = [ids('key'), ids('user'), ids('tenant')];
    if (keys.length) for (const k of await this.keys.findByIds(keys)) out.set(`key:${k.id}`, k.name);
    if (users.length) for (const u of await this.users.findByIds(users)) out.set(`user:${u.id}`, u.email);
    if (tenants.length)
      for (const t of await this.tenants.findByIds(tenants)) out.set(`tenant:${t.id}`, t.name);
    return out;
  }

  private async views(rows: Budget[]): Promise<BudgetView[]> {
    const names = await this.scopeNames(rows);
    const now = Date.now();
    return Promise.all(
      rows.map(async (b) => {
        const slot = this.slot(b, now);
        const c = await this.counters.read(slot.key);
        const start = periodStart(b.period, now);
        const end = periodEnd(b.period, start);
        const spentUsd = fromNano(c.spentNano);
        return {
          ...b,
          scopeName: names.get(`${b.scope}:${b.scopeId}`) ?? b.scopeId,
          periodStart: new Date(start).toISOString(),
          periodEnd: Number.isFinite(end) ? new Date(end).toISOString() : null,
          spentUsd,
          reservedUsd: fromNano(c.reservedNano),
          remainingUsd: Math.max(0, b.amountUsd - spentUsd),
        };
      }),
    );
  }

  /** Guards a write that a non-admin attempted (budgets are set by admins). */
  static assertAdmin(actor: AuthUser): void {
    if (actor.role !== 'admin') throw new ForbiddenException('Only admins manage budgets');
  }
}
