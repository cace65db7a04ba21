import { BadRequestException, Injectable } from '@nestjs/common';
import { plainToInstance } from 'class-transformer';
import { validateSync, ValidationError } from 'class-validator';
import { DataSource, EntityManager } from 'typeorm';
import { maskSecret, SecretBoxService } from '../common/crypto/secret-box';
import { CacheBus } from '../common/redis/cache-bus.service';
import { Provider, PROVIDER_TYPES, ProviderCredential, ProviderType } from '../providers/provider.entity';
import { PROVIDERS_CHANGED } from '../providers/providers.service';
import { CreateProxyDto } from '../proxy-pool/dto/proxy.dto';
import { PROXIES_CHANGED } from '../proxy-pool/proxy-pool.service';
import { Proxy } from '../proxy-pool/proxy.entity';
import { parseProxyUrl } from '../proxy-pool/proxy-url';
import { PROXY_MODES, PROXY_STRATEGIES, ProxyMode, ProxyStrategy } from '../routing/runtime.types';
import { ConfigDocument, ImportResultView } from './dto/config-transfer.dto';
import { Model, MODEL_TYPES, ModelRoute, ROUTING_STRATEGIES } from './model.entity';
import { MODELS_CHANGED } from './models.service';

type Json = Record<string, unknown>;
const str = (v: unknown, d = '') => (typeof v === 'string' ? v : d);
const int = (v: unknown, d: number) => (typeof v === 'number' && Number.isInteger(v) ? v : d);
const bool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);

/** The items of a document list; a missing optional list is empty, anything else not a list is a 400. */
function items(v: unknown, what: string, required: boolean): Json[] {
  if (v === undefined && !required) return [];
  if (!Array.isArray(v)) throw new BadRequestException(`${what} must be an array`);
  if (v.some((x) => !x || typeof x !== 'object' || Array.isArray(x)))
    throw new BadRequestException(`every item of ${what} must be an object`);
  return v as Json[];
}

function validationMessages(errors: ValidationError[]): string[] {
  return errors.flatMap((e) => [
    ...Object.values(e.constraints ?? {}),
    ...validationMessages(e.children ?? []),
  ]);
}

/**
 * Export and import of the proxy pool, providers (with their proxy settings), models and routes as
 * one JSON document (for backups and moving a setup between gateways). Everything refers to
 * everything else by name. Secrets leave only when asked for, and then only as AES-GCM ciphertext
 * that another gateway can open with the same ENCRYPTION_KEY.
 */
@Injectable()
export class ConfigTransferService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly box: SecretBoxService,
    private readonly bus: CacheBus,
  ) {}

  async export(includeSecrets: boolean): Promise<ConfigDocument> {
    const m = this.dataSource.manager;
    const proxies = await m.find(Proxy, { order: { name: 'ASC' } });
    const providers = await m.find(Provider, { relations: { credentials: true }, order: { name: 'ASC' } });
    const models = await m.find(Model, { relations: { routes: { provider: true } }, order: { name: 'ASC' } });
    const proxyNames = new Map(proxies.map((x) => [x.id, x.name]));
    return {
      version: 1,
      exportedAt: new Date().toISOString(),
      proxies: proxies.map((x) => ({
        name: x.name,
        url: x.url,
        enabled: x.enabled,
        weight: x.weight,
        tags: x.tags,
        checkUrl: x.checkUrl,
        hasAuth: x.authSealed !== null,
        ...(includeSecrets && x.authSealed ? { authSealed: x.authSealed } : {}),
      })),
      providers: providers.map((p) => ({
        name: p.name,
        type: p.type,
        baseUrl: p.baseUrl,
        timeoutMs: p.timeoutMs,
        enabled: p.enabled,
        notes: p.notes,
        consoleUrl: p.consoleUrl,
        config: p.config,
        proxyMode: p.proxyMode,
        proxy: p.proxyId ? (proxyNames.get(p.proxyId) ?? null) : null,
        proxyTag: p.proxyTag,
        proxyStrategy: p.proxyStrategy,
        ...(includeSecrets && p.headersSealed ? { headersSealed: p.headersSealed } : {}),
        credentials: (p.credentials ?? []).map((c) => ({
          label: c.label,
          hint: c.hint,
          weight: c.weight,
          enabled: c.enabled,
          ...(includeSecrets ? { sealed: c.secretSealed } : {}),
        })),
      })),
      models: models.map((x) => ({
        name: x.name,
        type: x.type,
        description: x.description,
        enabled: x.enabled,
        strategy: x.strategy,
        maxAttempts: x.maxAttempts,
        sticky: x.sticky,
        stickyTtlSeconds: x.stickyTtlSeconds,
        routes: (x.routes ?? []).map((r) => ({
          provider: r.provider?.name,
          upstreamModel: r.upstreamModel,
          weight: r.weight,
          priority: r.priority,
          enabled: r.enabled,
          supportsTools: r.supportsTools,
          supportsStructuredOutput: r.supportsStructuredOutput,
          supportsVision: r.supportsVision,
          headerPassthrough: r.headerPassthrough,
          cost: r.cost,
        })),
      })),
    };
  }

  /**
   * Merges a document in one transaction: proxies, providers and models matched by name are updated,
   * others created; routes replaced. Importing the same document again changes nothing.
   */
  async import(doc: ConfigDocument): Promise<ImportResultView> {
    if (doc.version !== 1) throw new BadRequestException(`unsupported config version ${doc.version}`);
    const proxyDocs = items(doc.proxies, 'proxies', false);
    const providerDocs = items(doc.providers, 'providers', true);
    const modelDocs = items(doc.models, 'models', true);
    const result: ImportResultView = {
      proxiesCreated: 0,
      proxiesUpdated: 0,
      providersCreated: 0,
      providersUpdated: 0,
      modelsCreated: 0,
      modelsUpdated: 0,
      warnings: [],
    };
    // PGlite runs one transaction at a time: everything inside uses this transaction's manager.
    await this.dataSource.transaction(async (m) => {
      const proxyIds = await this.importProxies(m, proxyDocs, result);
      const ids = new Map<string, string>();
      for (const raw of providerDocs) {
        const name = str(raw.name);
        const type = str(raw.type) as ProviderType;
        if (!name || !PROVIDER_TYPES.includes(type))
          throw new BadRequestException(`provider "${name}": name and a valid type are required`);
        let p = await m.findOne(Provider, { where: { name } });
        const values = {
          name,
          type,
          baseUrl: str(raw.baseUrl, p?.baseUrl ?? ''),
          timeoutMs: int(raw.timeoutMs, p?.timeoutMs ?? 60000),
          enabled: bool(raw.enabled, p?.enabled ?? true),
          notes: typeof raw.notes === 'string' ? raw.notes : (p?.notes ?? null),
          consoleUrl: typeof raw.consoleUrl === 'string' ? raw.consoleUrl : (p?.consoleUrl ?? null),
          config: (raw.config && typeof raw.config === 'object' ? raw.config : (p?.config ?? {})) as Json,
        };
        if (!values.baseUrl) throw new BadRequestException(`provider "${name}": baseUrl is required`);
        const proxy = await this.proxySettings(m, name, raw, p, proxyIds);
        const headersSealed = this.openable(raw.headersSealed) ? (raw.headersSealed as string) : undefined;
        if (raw.headersSealed && !headersSealed)
          result.warnings.push(`provider "${name}": headers skipped (sealed with another ENCRYPTION_KEY)`);
        if (p) {
          await m.save(Provider, {
            ...p,
            ...values,
            ...proxy,
            ...(headersSealed ? { headersSealed } : {}),
            credentials: undefined,
          });
          result.providersUpdated++;
        } else {
          p = await m.save(m.create(Provider, { ...values, ...proxy, headersSealed: headersSealed ?? null }));
          result.providersCreated++;
        }
        ids.set(name, p.id);
        const creds = items(raw.credentials ?? [], `provider "${name}": credentials`, true);
        const sealed = creds.filter((c) => typeof c.sealed === 'string');
        if (sealed.length) {
          await m.delete(ProviderCredential, { providerId: p.id });
          for (const [i, c] of sealed.entries()) {
            if (!this.openable(c.sealed)) {
              result.warnings.push(
                `provider "${name}": credential ${i + 1} skipped (sealed with another ENCRYPTION_KEY)`,
              );
              continue;
            }
            await m.insert(ProviderCredential, {
              providerId: p.id,
              label: str(c.label, `key-${i + 1}`),
              secretSealed: c.sealed as string,
              hint: maskSecret(this.box.decrypt(c.sealed as string)),
              weight: int(c.weight, 1),
              enabled: bool(c.enabled, true),
            });
          }
        } else if (creds.length) {
          result.warnings.push(
            `provider "${name}": credentials were exported without secrets; existing keys kept`,
          );
        }
      }
      for (const raw of modelDocs) {
        const name = str(raw.name);
        if (!name) throw new BadRequestException('every model needs a name');
        const type = MODEL_TYPES.includes(raw.type as never) ? (raw.type as Model['type']) : 'chat';
        const strategy = ROUTING_STRATEGIES.includes(raw.strategy as never)
          ? (raw.strategy as Model['strategy'])
          : 'weighted-random';
        const values = {
          name,
          type,
          strategy,
          description: typeof raw.description === 'string' ? raw.description : null,
          enabled: bool(raw.enabled, true),
          maxAttempts: int(raw.maxAttempts, 3),
          sticky: bool(raw.sticky, false),
          stickyTtlSeconds: int(raw.stickyTtlSeconds, 600),
        };
        let model = await m.findOne(Model, { where: { name } });
        if (model) {
          await m.update(Model, { id: model.id }, values);
          result.modelsUpdated++;
        } else {
          model = await m.save(m.create(Model, values));
          result.modelsCreated++;
        }
        await m.delete(ModelRoute, { modelId: model.id });
        for (const r of items(raw.routes ?? [], `model "${name}": routes`, true)) {
          const providerId =
            ids.get(str(r.provider)) ?? (await m.findOne(Provider, { where: { name: str(r.provider) } }))?.id;
          if (!providerId)
            throw new BadRequestException(
              `model "${name}": route names unknown provider "${str(r.provider)}"`,
            );
          await m.insert(ModelRoute, {
            modelId: model.id,
            providerId,
            upstreamModel: str(r.upstreamModel),
            weight: int(r.weight, 1),
            priority: int(r.priority, 0),
            enabled: bool(r.enabled, true),
            supportsTools: bool(r.supportsTools, true),
            supportsStructuredOutput: bool(r.supportsStructuredOutput, true),
            supportsVision: bool(r.supportsVision, true),
            headerPassthrough: bool(r.headerPassthrough, false),
            cost: typeof r.cost === 'number' ? r.cost : 0,
          });
        }
      }
    });
    await this.bus.publish(PROXIES_CHANGED);
    await this.bus.publish(PROVIDERS_CHANGED);
    await this.bus.publish(MODELS_CHANGED);
    return result;
  }

  /**
   * Creates or updates the document's proxies (matched by name) and returns every name → id the
   * providers may refer to. Credentials: `authSealed` replaces them (skipped with a warning when
   * sealed with another key), `hasAuth: false` clears them, otherwise the stored ones are kept.
   */
  private async importProxies(
    m: EntityManager,
    docs: Json[],
    result: ImportResultView,
  ): Promise<Map<string, string>> {
    const ids = new Map<string, string>();
    for (const raw of docs) {
      const name = str(raw.name);
      const input = Object.fromEntries(
        ['name', 'url', 'enabled', 'weight', 'tags', 'checkUrl']
          .filter((k) => raw[k] !== undefined)
          .map((k) => [k, raw[k]]),
      );
      const problems = validationMessages(
        validateSync(plainToInstance(CreateProxyDto, input), { forbidUnknownValues: false }),
      );
      if (problems.length) throw new BadRequestException(`proxy "${name}": ${problems.join('; ')}`);
      let parsed: ReturnType<typeof parseProxyUrl>;
      try {
        parsed = parseProxyUrl(str(raw.url));
      } catch (e) {
        throw new BadRequestException(`proxy "${name}": url: ${(e as Error).message}`);
      }
      const existing = await m.findOne(Proxy, { where: { name } });
      let authSealed: string | null | undefined;
      if (typeof raw.authSealed === 'string') {
        if (this.openable(raw.authSealed)) authSealed = raw.authSealed;
        else
          result.warnings.push(`proxy "${name}": credentials skipped (sealed with another ENCRYPTION_KEY)`);
      } else if (parsed.username !== undefined || parsed.password !== undefined) {
        authSealed = this.box.encrypt(
          JSON.stringify({ username: parsed.username ?? '', password: parsed.password ?? '' }),
        );
      } else if (raw.hasAuth === false) {
        authSealed = null;
      } else if (raw.hasAuth === true) {
        result.warnings.push(
          `proxy "${name}": credentials were exported without secrets; ` +
            (existing?.authSealed ? 'existing ones kept' : 'set them on the proxy'),
        );
      }
      const values = {
        name,
        url: parsed.url,
        enabled: bool(raw.enabled, existing?.enabled ?? true),
        weight: int(raw.weight, existing?.weight ?? 1),
        tags: Array.isArray(raw.tags) ? (raw.tags as string[]) : (existing?.tags ?? []),
        checkUrl:
          raw.checkUrl === null || typeof raw.checkUrl === 'string'
            ? raw.checkUrl
            : (existing?.checkUrl ?? null),
        ...(authSealed !== undefined ? { authSealed } : {}),
      };
      if (existing) {
        await m.update(Proxy, { id: existing.id }, values);
        ids.set(name, existing.id);
        result.proxiesUpdated++;
      } else {
        const saved = await m.save(m.create(Proxy, { authSealed: null, ...values }));
        ids.set(name, saved.id);
        result.proxiesCreated++;
      }
    }
    return ids;
  }

  /**
   * A provider's proxy settings from the document, the proxy referred to by name (in the document
   * or already in the pool). Absent settings keep the stored ones (documents from before the proxy
   * pool was exported).
   */
  private async proxySettings(
    m: EntityManager,
    provider: string,
    raw: Json,
    current: Provider | null,
    proxyIds: Map<string, string>,
  ): Promise<Partial<Pick<Provider, 'proxyMode' | 'proxyId' | 'proxyTag' | 'proxyStrategy'>>> {
    if (raw.proxyMode === undefined) return {};
    const mode = raw.proxyMode as ProxyMode;
    if (!PROXY_MODES.includes(mode))
      throw new BadRequestException(
        `provider "${provider}": proxyMode must be one of ${PROXY_MODES.join(', ')}`,
      );
    const strategy = (raw.proxyStrategy ?? current?.proxyStrategy ?? 'round-robin') as ProxyStrategy;
    if (!PROXY_STRATEGIES.includes(strategy))
      throw new BadRequestException(
        `provider "${provider}": proxyStrategy must be one of ${PROXY_STRATEGIES.join(', ')}`,
      );
    const proxyName = typeof raw.proxy === 'string' ? raw.proxy : null;
    const proxyId = proxyName
      ? (proxyIds.get(proxyName) ?? (await m.findOne(Proxy, { where: { name: proxyName } }))?.id ?? null)
      : null;
    if (mode === 'single' && !proxyName)
      throw new BadRequestException(`provider "${provider}": proxyMode single needs "proxy" (a proxy name)`);
    if (mode === 'single' && !proxyId)
      throw new BadRequestException(
        `provider "${provider}": proxy "${proxyName}" is neither in the document nor in the proxy pool`,
      );
    const tag = raw.proxyTag;
    if (tag !== undefined && tag !== null && (typeof tag !== 'string' || !/^.{1,64}$/.test(tag)))
      throw new BadRequestException(
        `provider "${provider}": proxyTag must be a string of 1-64 characters or null`,
      );
    return {
      proxyMode: mode,
      proxyId,
      proxyTag: tag === undefined ? (current?.proxyTag ?? null) : tag,
      proxyStrategy: strategy,
    };
  }

  private openable(sealed: unknown): boolean {
    if (typeof sealed !== 'string') return false;
    try {
      this.box.decrypt(sealed);
      return true;
    } catch {
      return false;
    }
  }
}
