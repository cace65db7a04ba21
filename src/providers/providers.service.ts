import { BadRequestException, ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, In, Repository } from 'typeorm';
import { maskSecret, SecretBoxService } from '../common/crypto/secret-box';
import { CacheBus } from '../common/redis/cache-bus.service';
import {
  CreateProviderDto,
  CredentialInputDto,
  ProviderView,
  UpdateCredentialDto,
  UpdateProviderDto,
  ValidationResultView,
} from './dto/provider.dto';
import type { RuntimeProvider } from '../routing/runtime.types';
import { Provider, ProviderCredential, ProviderType } from './provider.entity';
import { ProxyPoolService } from '../proxy-pool/proxy-pool.service';

/** Official endpoints used when a provider of that type is created without a base URL. */
export const DEFAULT_BASE_URLS: Record<ProviderType, string | undefined> = {
  openai: 'https://api.openai.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
  mock: 'mock://local',
  'openai-compatible': undefined,
};

/** Topic on the cache bus when providers change (routing tables rebuild on it). */
export const PROVIDERS_CHANGED = 'providers';

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}$/;
const RESERVED_HEADERS = new Set(['host', 'content-length', 'transfer-encoding', 'connection']);

/** Problems with a provider definition that class-validator cannot see (cross-field rules). */
export function providerProblems(dto: Partial<CreateProviderDto> & { type?: ProviderType }): string[] {
  const problems: string[] = [];
  if (dto.type === 'openai-compatible' && !dto.baseUrl)
    problems.push('baseUrl is required for openai-compatible providers');
  if (dto.proxyMode === 'single' && !dto.proxyId)
    problems.push('proxyId is required when proxyMode is single');
  for (const [name, value] of Object.entries(dto.headers ?? {})) {
    if (!HEADER_NAME.test(name)) problems.push(`header name "${name}" is not a valid HTTP header name`);
    else if (RESERVED_HEADERS.has(name.toLowerCase()))
      problems.push(`header "${name}" is set by the gateway and cannot be overridden`);
    if (typeof value !== 'string' || /[\r\n]/.test(value))
      problems.push(`header "${name}" must be a single-line string`);
  }
  return problems;
}

const nameTaken = (name: string) => `name "${name}" is already used`;

/** A failed check becomes 409 when the name is taken, else 400 listing every problem. */
function assertValid(check: ValidationResultView): ValidationResultView {
  if (check.valid) return check;
  const conflict = check.problems.find((p) => p.endsWith('is already used'));
  if (conflict) throw new ConflictException(conflict);
  throw new BadRequestException(check.problems);
}

/**
 * Providers and their credentials. Secrets (API keys and extra headers) are sealed with
 * ENCRYPTION_KEY before they reach the database and are only ever returned masked.
 */
@Injectable()
export class ProvidersService {
  constructor(
    @InjectRepository(Provider) private readonly providers: Repository<Provider>,
    @InjectRepository(ProviderCredential) private readonly credentials: Repository<ProviderCredential>,
    private readonly dataSource: DataSource,
    private readonly box: SecretBoxService,
    private readonly bus: CacheBus,
    private readonly proxyPool: ProxyPoolService,
  ) {}

  toView(p: Provider): ProviderView {
    const headers = this.openHeaders(p);
    return {
      id: p.id,
      name: p.name,
      type: p.type,
      baseUrl: p.baseUrl,
      headers: Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, maskSecret(v)])),
      timeoutMs: p.timeoutMs,
      enabled: p.enabled,
      notes: p.notes,
      consoleUrl: p.consoleUrl,
      config: p.config,
      credentials: (p.credentials ?? [])
        .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime())
        .map((c) => ({ id: c.id, label: c.label, hint: c.hint, weight: c.weight, enabled: c.enabled })),
      proxyMode: p.proxyMode,
      proxyId: p.proxyId,
      proxyTag: p.proxyTag,
      proxyStrategy: p.proxyStrategy,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }

  /** The provider's extra headers in plain text (for adapters). */
  openHeaders(p: Provider): Record<string, string> {
    return p.headersSealed ? (JSON.parse(this.box.decrypt(p.headersSealed)) as Record<string, string>) : {};
  }

  /**
   * The decrypted runtime view adapters call with. `enabledOnly` keeps only enabled credentials
   * (routing); the provider test call probes every credential.
   */
  runtime(p: Provider, enabledOnly: boolean): RuntimeProvider {
    return {
      id: p.id,
      name: p.name,
      type: p.type,
      baseUrl: p.baseUrl,
      headers: this.openHeaders(p),
      timeoutMs: p.timeoutMs,
      config: p.config,
      credentials: (p.credentials ?? [])
        .filter((c) => !enabledOnly || c.enabled)
        .map((c) => ({ id: c.id, secret: this.openSecret(c), weight: c.weight })),
      proxy: this.proxyPool.selector(p.proxyMode, p.proxyId, p.proxyTag, p.proxyStrategy),
    };
  }

  /** A credential's key in plain text (for adapters; never for responses). */
  openSecret(c: ProviderCredential): string {
    return this.box.decrypt(c.secretSealed);
  }

  list(): Promise<Provider[]> {
    return this.providers.find({ relations: { credentials: true }, order: { name: 'ASC' } });
  }

  async get(id: string, manager: EntityManager = this.providers.manager): Promise<Provider> {
    const p = await manager.findOne(Provider, { where: { id }, relations: { credentials: true } });
    if (!p) throw new NotFoundException('Provider not found');
    return p;
  }

  /** Checks a definition without saving it. */
  async validate(dto: CreateProviderDto, excludeId?: string): Promise<ValidationResultView> {
    const problems = providerProblems(dto);
    if (dto.proxyMode === 'single' && dto.proxyId && !(await this.proxyPool.exists(dto.proxyId)))
      problems.push(`proxy ${dto.proxyId} does not exist`);
    const clash = await this.providers.findOne({ where: { name: dto.name } });
    if (clash && clash.id !== excludeId) problems.push(nameTaken(dto.name));
    return {
      valid: problems.length === 0,
      problems,
      baseUrl: dto.baseUrl ?? DEFAULT_BASE_URLS[dto.type] ?? '',
    };
  }

  async create(dto: CreateProviderDto): Promise<Provider> {
    const check = assertValid(await this.validate(dto));
    // PGlite runs one transaction at a time: everything inside uses the transaction's manager.
    const id = await this.dataSource.transaction(async (m) => {
      const saved = await m.save(
        m.create(Provider, {
          name: dto.name,
          type: dto.type,
          baseUrl: check.baseUrl.replace(/\/+$/, ''),
          headersSealed:
            dto.headers && Object.keys(dto.headers).length
              ? this.box.encrypt(JSON.stringify(dto.headers))
              : null,
          timeoutMs: dto.timeoutMs ?? 60000,
          enabled: dto.enabled ?? true,
          notes: dto.notes ?? null,
          consoleUrl: dto.consoleUrl ?? null,
          config: dto.config ?? {},
          proxyMode: dto.proxyMode ?? 'none',
          proxyId: dto.proxyId ?? null,
          proxyTag: dto.proxyTag ?? null,
          proxyStrategy: dto.proxyStrategy ?? 'round-robin',
        }),
      );
      for (const [i, c] of (dto.credentials ?? []).entries()) await this.insertCredential(m, saved.id, c, i);
      return saved.id;
    });
    await this.changed();
    return this.get(id);
  }

  async update(id: string, dto: UpdateProviderDto): Promise<Provider> {
    const p = await this.get(id);
    const typeChanged = dto.type !== undefined && dto.type !== p.type;
    const merged: CreateProviderDto = {
      name: dto.name ?? p.name,
      type: dto.type ?? p.type,
      // A new type without a new URL moves to that type's official endpoint.
      baseUrl: dto.baseUrl ?? (typeChanged ? undefined : p.baseUrl),
      headers: dto.headers ?? this.openHeaders(p),
      proxyMode: dto.proxyMode ?? p.proxyMode,
      proxyId: dto.proxyId !== undefined ? dto.proxyId : p.proxyId,
    };
    const check = assertValid(await this.validate(merged, id));
    if (dto.name !== undefined) p.name = dto.name;
    if (dto.type !== undefined) p.type = dto.type;
    if (dto.baseUrl !== undefined || dto.type !== undefined) p.baseUrl = check.baseUrl.replace(/\/+$/, '');
    if (dto.headers !== undefined) {
      p.headersSealed = Object.keys(dto.headers).length
        ? this.box.encrypt(JSON.stringify(dto.headers))
        : null;
    }
    if (dto.timeoutMs !== undefined) p.timeoutMs = dto.timeoutMs;
    if (dto.enabled !== undefined) p.enabled = dto.enabled;
    if (dto.notes !== undefined) p.notes = dto.notes;
    if (dto.consoleUrl !== undefined) p.consoleUrl = dto.consoleUrl;
    if (dto.config !== undefined) p.config = dto.config;
    if (dto.proxyMode !== undefined) p.proxyMode = dto.proxyMode;
    if (dto.proxyId !== undefined) p.proxyId = dto.proxyId;
    if (dto.proxyTag !== undefined) p.proxyTag = dto.proxyTag;
    if (dto.proxyStrategy !== undefined) p.proxyStrategy = dto.proxyStrategy;
    const { credentials: _omit, ...columns } = p;
    await this.providers.save(columns);
    await this.changed();
    return this.get(id);
  }

  async remove(id: string): Promise<void> {
    await this.get(id);
    await this.providers.delete(id);
    await this.changed();
  }

  async batchDelete(ids: string[]): Promise<number> {
    const res = await this.providers.delete({ id: In(ids) });
    await this.changed();
    return res.affected ?? 0;
  }

  async addCredential(providerId: string, dto: CredentialInputDto): Promise<Provider> {
    const p = await this.get(providerId);
    await this.insertCredential(this.credentials.manager, p.id, dto, p.credentials?.length ?? 0);
    await this.changed();
    return this.get(providerId);
  }

  async updateCredential(
    providerId: string,
    credentialId: string,
    dto: UpdateCredentialDto,
  ): Promise<Provider> {
    const c = await this.credentials.findOne({ where: { id: credentialId, providerId } });
    if (!c) throw new NotFoundException('Credential not found');
    if (dto.label !== undefined) c.label = dto.label;
    if (dto.weight !== undefined) c.weight = dto.weight;
    if (dto.enabled !== undefined) c.enabled = dto.enabled;
    if (dto.key !== undefined) {
      c.secretSealed = this.box.encrypt(dto.key);
      c.hint = maskSecret(dto.key);
    }
    await this.credentials.save(c);
    await this.changed();
    return this.get(providerId);
  }

  async removeCredential(providerId: string, credentialId: string): Promise<void> {
    const res = await this.credentials.delete({ id: credentialId, providerId });
    if (!res.affected) throw new NotFoundException('Credential not found');
    await this.changed();
  }

  private async insertCredential(m: EntityManager, providerId: string, c: CredentialInputDto, index: number) {
    await m.insert(ProviderCredential, {
      providerId,
      label: c.label ?? `key-${index + 1}`,
      secretSealed: this.box.encrypt(c.key),
      hint: maskSecret(c.key),
      weight: c.weight ?? 1,
      enabled: c.enabled ?? true,
    });
  }

  /** Resolves once this instance's routing table is rebuilt (others follow over the bus). */
  private changed(): Promise<void> {
    return this.bus.publish(PROVIDERS_CHANGED);
  }
}
