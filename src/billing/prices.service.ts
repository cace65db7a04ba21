import { ConflictException, Injectable, NotFoundException, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { ILike, Repository } from 'typeorm';
import { CacheBus } from '../common/redis/cache-bus.service';
import { isUniqueViolation } from '../common/filters/db-errors';
import { CreatePriceDto, PriceQueryDto, UpdatePriceDto } from './dto/price.dto';
import { Price } from './price.entity';
import seed from './seed-prices.json';

const TOPIC = 'prices';

export interface SeedPrice {
  model: string;
  inputPerM: number;
  outputPerM: number;
  cachedInputPerM?: number;
  cacheWritePerM?: number;
  reasoningPerM?: number;
}

export const seedPrices: SeedPrice[] = seed.prices;

/**
 * The price table. Reads on the request path come from an in-memory index (model → price history,
 * newest first), rebuilt on every change on every instance through the cache bus.
 */
@Injectable()
export class PricesService implements OnModuleInit {
  private index = new Map<string, Price[]>();
  private readonly listeners: (() => unknown)[] = [];

  constructor(
    @InjectRepository(Price) private readonly prices: Repository<Price>,
    private readonly bus: CacheBus,
  ) {}

  async onModuleInit(): Promise<void> {
    this.bus.on(TOPIC, async () => {
      await this.reload();
      await Promise.all(this.listeners.map((fn) => fn()));
    });
    await this.reload();
  }

  /** Runs `fn` after every price change has been loaded (routing re-ranks lowest-cost routes). */
  onChanged(fn: () => unknown): void {
    this.listeners.push(fn);
  }

  /**
   * A route's blended price in USD per 1M tokens (3 parts input to 1 part output, a typical chat
   * mix) for the `lowest-cost` strategy; undefined when the table has no price for it.
   */
  blended(publicModel: string, providerId: string, upstreamModel: string): number | undefined {
    const p = this.lookup(publicModel, { providerId, model: upstreamModel });
    return p ? (3 * p.inputPerM + p.outputPerM) / 4 : undefined;
  }

  async reload(): Promise<void> {
    const rows = await this.prices.find({ order: { effectiveFrom: 'DESC' } });
    const index = new Map<string, Price[]>();
    for (const r of rows) {
      const list = index.get(r.model);
      if (list) list.push(r);
      else index.set(r.model, [r]);
    }
    this.index = index;
  }

  /**
   * The price that applies at `at`: the upstream model's price for this provider, else the upstream
   * model's general price, else the public model's price.
   */
  lookup(
    publicModel: string,
    upstream?: { providerId: string; model: string },
    at = Date.now(),
  ): Price | undefined {
    const pick = (model: string, providerId: string | null) =>
      this.index.get(model)?.find((p) => p.providerId === providerId && p.effectiveFrom.getTime() <= at);
    return (
      (upstream && (pick(upstream.model, upstream.providerId) ?? pick(upstream.model, null))) ||
      pick(publicModel, null)
    );
  }

  // ---- admin ---------------------------------------------------------------------------------

  async list(q: PriceQueryDto) {
    const page = q.page ?? 1;
    const pageSize = q.pageSize ?? 100;
    const [items, total] = await this.prices.findAndCount({
      where: q.q ? { model: ILike(`%${q.q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`) } : {},
      order: { model: 'ASC', effectiveFrom: 'DESC' },
      skip: (page - 1) * pageSize,
      take: pageSize,
    });
    return { items, total, page, pageSize };
  }

  async get(id: string): Promise<Price> {
    const p = await this.prices.findOne({ where: { id } });
    if (!p) throw new NotFoundException('Price not found');
    return p;
  }

  async create(dto: CreatePriceDto): Promise<Price> {
    const row = this.prices.create({
      model: dto.model,
      providerId: dto.providerId ?? null,
      inputPerM: dto.inputPerM,
      outputPerM: dto.outputPerM,
      cachedInputPerM: dto.cachedInputPerM ?? null,
      cacheWritePerM: dto.cacheWritePerM ?? null,
      reasoningPerM: dto.reasoningPerM ?? null,
      effectiveFrom: dto.effectiveFrom ? new Date(dto.effectiveFrom) : new Date(0),
      note: dto.note ?? null,
    });
    const saved = await this.save(row);
    await this.bus.publish(TOPIC);
    return saved;
  }

  async update(id: string, dto: UpdatePriceDto): Promise<Price> {
    const row = await this.get(id);
    if (dto.model !== undefined) row.model = dto.model;
    if (dto.providerId !== undefined) row.providerId = dto.providerId ?? null;
    if (dto.inputPerM !== undefined) row.inputPerM = dto.inputPerM;
    if (dto.outputPerM !== undefined) row.outputPerM = dto.outputPerM;
    if (dto.cachedInputPerM !== undefined) row.cachedInputPerM = dto.cachedInputPerM;
    if (dto.cacheWritePerM !== undefined) row.cacheWritePerM = dto.cacheWritePerM;
    if (dto.reasoningPerM !== undefined) row.reasoningPerM = dto.reasoningPerM;
    if (dto.effectiveFrom !== undefined) row.effectiveFrom = new Date(dto.effectiveFrom);
    if (dto.note !== undefined) row.note = dto.note;
    const saved = await this.save(row);
    await this.bus.publish(TOPIC);
    return saved;
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.prices.delete(id);
    await this.bus.publish(TOPIC);
  }

  /** Adds the seed file's prices for models that have none yet; returns how many were added. */
  async applySeed(): Promise<{ added: number }> {
    const have = new Set((await this.prices.find({ select: { model: true } })).map((p) => p.model));
    const missing = seedPrices.filter((p) => !have.has(p.model));
    if (missing.length) {
      await this.prices
        .createQueryBuilder()
        .insert()
        .values(
          missing.map((p) => ({
            model: p.model,
            providerId: null,
            inputPerM: p.inputPerM,
            outputPerM: p.outputPerM,
            cachedInputPerM: p.cachedInputPerM ?? null,
            cacheWritePerM: p.cacheWritePerM ?? null,
            reasoningPerM: p.reasoningPerM ?? null,
            effectiveFrom: new Date(0),
            note: 'seed list price',
          })),
        )
        .orIgnore()
        .execute();
      await this.bus.publish(TOPIC);
    }
    return { added: missing.length };
  }

  private async save(row: Price): Promise<Price> {
    try {
      return await this.prices.save(row);
    } catch (e) {
      if (isUniqueViolation(e))
        throw new ConflictException('A price for this model, provider and start date already exists');
      throw e;
    }
  }
}
