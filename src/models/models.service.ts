import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { CacheBus } from '../common/redis/cache-bus.service';
import { Provider } from '../providers/provider.entity';
import {
  CreateModelDto,
  CreateRouteDto,
  ModelView,
  RouteInputDto,
  RouteView,
  UpdateModelDto,
  UpdateRouteDto,
} from './dto/model.dto';
import { Model, ModelRoute } from './model.entity';

/** Topic on the cache bus when models or routes change (routing tables rebuild on it). */
export const MODELS_CHANGED = 'models';

/** The model catalogue: public names and their routes to provider models. */
@Injectable()
export class ModelsService {
  constructor(
    @InjectRepository(Model) private readonly models: Repository<Model>,
    @InjectRepository(ModelRoute) private readonly routes: Repository<ModelRoute>,
    private readonly dataSource: DataSource,
    private readonly bus: CacheBus,
  ) {}

  static routeView(r: ModelRoute): RouteView {
    return {
      id: r.id,
      modelId: r.modelId,
      providerId: r.providerId,
      providerName: r.provider?.name ?? '',
      upstreamModel: r.upstreamModel,
      weight: r.weight,
      priority: r.priority,
      enabled: r.enabled,
      supportsTools: r.supportsTools,
      supportsStructuredOutput: r.supportsStructuredOutput,
      supportsVision: r.supportsVision,
      headerPassthrough: r.headerPassthrough,
      cost: r.cost,
    };
  }

  static view(m: Model): ModelView {
    return {
      id: m.id,
      name: m.name,
      type: m.type,
      description: m.description,
      enabled: m.enabled,
      strategy: m.strategy,
      maxAttempts: m.maxAttempts,
      sticky: m.sticky,
      stickyTtlSeconds: m.stickyTtlSeconds,
      routes: (m.routes ?? [])
        .sort((a, b) => b.priority - a.priority || a.createdAt.getTime() - b.createdAt.getTime())
        .map((r) => ModelsService.routeView(r)),
      createdAt: m.createdAt,
    };
  }

  /** Every model with routes and their providers (also what the routing table is built from). */
  list(): Promise<Model[]> {
    return this.models.find({ relations: { routes: { provider: true } }, order: { name: 'ASC' } });
  }

  async get(id: string, manager: EntityManager = this.models.manager): Promise<Model> {
    const m = await manager.findOne(Model, { where: { id }, relations: { routes: { provider: true } } });
    if (!m) throw new NotFoundException('Model not found');
    return m;
  }

  async create(dto: CreateModelDto): Promise<Model> {
    const id = await this.dataSource.transaction(async (m) => {
      if (await m.exists(Model, { where: { name: dto.name } })) {
        throw new ConflictException(`model "${dto.name}" already exists`);
      }
      const saved = await m.save(
        m.create(Model, {
          name: dto.name,
          type: dto.type ?? 'chat',
          description: dto.description ?? null,
          enabled: dto.enabled ?? true,
          strategy: dto.strategy ?? 'weighted-random',
          maxAttempts: dto.maxAttempts ?? 3,
          sticky: dto.sticky ?? false,
          stickyTtlSeconds: dto.stickyTtlSeconds ?? 600,
        }),
      );
      for (const r of dto.routes ?? []) await this.insertRoute(m, saved.id, r);
      return saved.id;
    });
    await this.changed();
    return this.get(id);
  }

  async update(id: string, dto: UpdateModelDto): Promise<Model> {
    const model = await this.get(id);
    if (
      dto.name !== undefined &&
      dto.name !== model.name &&
      (await this.models.exists({ where: { name: dto.name } }))
    ) {
      throw new ConflictException(`model "${dto.name}" already exists`);
    }
    const { routes: _routes, ...columns } = model;
    await this.models.save({ ...columns, ...dto });
    await this.changed();
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.models.delete(id);
    await this.changed();
  }

  async batchDelete(ids: string[]): Promise<number> {
    const res = await this.models.delete({ id: In(ids) });
    await this.changed();
    return res.affected ?? 0;
  }

  async listRoutes(modelId?: string): Promise<ModelRoute[]> {
    return this.routes.find({
      where: modelId ? { modelId } : {},
      relations: { provider: true },
      order: { priority: 'DESC', createdAt: 'ASC' },
    });
  }

  async createRoute(dto: CreateRouteDto): Promise<ModelRoute> {
    await this.get(dto.modelId);
    const id = await this.insertRoute(this.routes.manager, dto.modelId, dto);
    await this.changed();
    return this.getRoute(id);
  }

  async getRoute(id: string): Promise<ModelRoute> {
    const r = await this.routes.findOne({ where: { id }, relations: { provider: true } });
    if (!r) throw new NotFoundException('Route not found');
    return r;
  }

  async updateRoute(id: string, dto: UpdateRouteDto): Promise<ModelRoute> {
    const r = await this.getRoute(id);
    if (dto.providerId !== undefined) await this.assertProvider(this.routes.manager, dto.providerId);
    const { provider: _p, model: _m, ...columns } = r;
    await this.routes.save({ ...columns, ...dto });
    await this.changed();
    return this.getRoute(id);
  }

  async removeRoute(id: string): Promise<void> {
    await this.getRoute(id);
    await this.routes.delete(id);
    await this.changed();
  }

  private async assertProvider(m: EntityManager, providerId: string): Promise<void> {
    if (!(await m.exists(Provider, { where: { id: providerId } }))) {
      throw new NotFoundException(`provider ${providerId} not found`);
    }
  }

  private async insertRoute(m: EntityManager, modelId: string, r: RouteInputDto): Promise<string> {
    await this.assertProvider(m, r.providerId);
    const saved = await m.save(
      m.create(ModelRoute, {
        modelId,
        providerId: r.providerId,
        upstreamModel: r.upstreamModel,
        weight: r.weight ?? 1,
        priority: r.priority ?? 0,
        enabled: r.enabled ?? true,
        supportsTools: r.supportsTools ?? true,
        supportsStructuredOutput: r.supportsStructuredOutput ?? true,
        supportsVision: r.supportsVision ?? true,
        headerPassthrough: r.headerPassthrough ?? false,
        cost: r.cost ?? 0,
      }),
    );
    return saved.id;
  }

  /** Resolves once this instance's routing table is rebuilt (others follow over the bus). */
  private changed(): Promise<void> {
    return this.bus.publish(MODELS_CHANGED);
  }
}
