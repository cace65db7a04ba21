import { BadRequestException, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { SecretBoxService } from '../common/crypto/secret-box';
import { CacheBus } from '../common/redis/cache-bus.service';
import { Provider, PROVIDER_TYPES, ProviderCredential, ProviderType } from '../providers/provider.entity';
import { PROVIDERS_CHANGED } from '../providers/providers.service';
import { maskSecret } from '../common/crypto/secret-box';
import { ConfigDocument, ImportResultView } from './dto/config-transfer.dto';
import { Model, MODEL_TYPES, ModelRoute, ROUTING_STRATEGIES } from './model.entity';
import { MODELS_CHANGED } from './models.service';

type Json = Record<string, unknown>;
const str = (v: unknown, d = '') => (typeof v === 'string' ? v : d);
const int = (v: unknown, d: number) => (typeof v === 'number' && Number.isInteger(v) ? v : d);
const bool = (v: unknown, d: boolean) => (typeof v === 'boolean' ? v : d);

/**
 * Export and import of providers, models and routes as one JSON document (for backups and moving a
 * setup between gateways). Secrets leave only when asked for, and then only as AES-GCM ciphertext
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
    const providers = await m.find(Provider, { relations: { credentials: true }, order: { name: 'ASC' } });
    const models = await m.find(Model, { relations: { routes: { provider: true } }, order: { name: 'ASC' } });
    return {
      version: 1,
      exportedAt: new Date().toISOString(),
      providers: providers.map((p) => ({
        name: p.name,
        type: p.type,
        baseUrl: p.baseUrl,
        timeoutMs: p.timeoutMs,
        enabled: p.enabled,
        notes: p.notes,
        consoleUrl: p.consoleUrl,
        config: p.config,
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

  /** Merges a document: providers and models matched by name are updated, others created; routes replaced. */
  async import(doc: ConfigDocument): Promise<ImportResultView> {
    if (doc.version !== 1) throw new BadRequestException(`unsupported config version ${doc.version}`);
    const result: ImportResultView = {
      providersCreated: 0,
      providersUpdated: 0,
      modelsCreated: 0,
      modelsUpdated: 0,
      warnings: [],
    };
    // PGlite runs one transaction at a time: everything inside uses this transaction's manager.
    await this.dataSource.transaction(async (m) => {
      const ids = new Map<string, string>();
      for (const raw of doc.providers as Json[]) {
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
        const headersSealed = this.openable(raw.headersSealed) ? (raw.headersSealed as string) : undefined;
        if (raw.headersSealed && !headersSealed)
          result.warnings.push(`provider "${name}": headers skipped (sealed with another ENCRYPTION_KEY)`);
        if (p) {
          await m.save(Provider, {
            ...p,
            ...values,
            ...(headersSealed ? { headersSealed } : {}),
            credentials: undefined,
          });
          result.providersUpdated++;
        } else {
          p = await m.save(m.create(Provider, { ...values, headersSealed: headersSealed ?? null }));
          result.providersCreated++;
        }
        ids.set(name, p.id);
        const creds = Array.isArray(raw.credentials) ? (raw.credentials as Json[]) : [];
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
      for (const raw of doc.models as Json[]) {
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
        for (const r of (Array.isArray(raw.routes) ? raw.routes : []) as Json[]) {
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
    await this.bus.publish(PROVIDERS_CHANGED);
    await this.bus.publish(MODELS_CHANGED);
    return result;
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
