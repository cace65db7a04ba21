import { BadGatewayException, Injectable } from '@nestjs/common';
import type { RuntimeCredential, RuntimeProvider } from '../routing/runtime.types';
import { adapterFor, UpstreamRequest } from './adapters';
import { UpstreamStatusError } from './adapters/http';
import { bodyText, upstreamErrorMessage } from './adapters/upstream-io';
import { ProvidersService } from './providers.service';

export interface ProbeResult {
  credentialId: string | null;
  hint: string | null;
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error?: string;
}

/** A health probe of one credential: which call was made, and its outcome. */
export interface CredentialCheck {
  method: 'models' | 'chat';
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error?: string;
  /** A timeout (undici's or the probe's own) rather than an answer. */
  timeout: boolean;
}

/** The smallest real request each protocol accepts: one token of output. */
function oneTokenBody(protocol: 'openai' | 'anthropic' | 'gemini', model: string): Record<string, unknown> {
  const messages = [{ role: 'user', content: 'ping' }];
  if (protocol === 'anthropic') return { model, max_tokens: 1, messages };
  if (protocol === 'gemini')
    return {
      contents: [{ role: 'user', parts: [{ text: 'ping' }] }],
      generationConfig: { maxOutputTokens: 1 },
    };
  return { model, max_tokens: 1, messages };
}

const KEYLESS: RuntimeCredential = { id: '', secret: '', weight: 1 };

function errorText(e: unknown): { message: string; timeout: boolean } {
  const err = e as { code?: string; name?: string; message?: string };
  const timeout =
    err?.name === 'TimeoutError' ||
    err?.code === 'UND_ERR_HEADERS_TIMEOUT' ||
    err?.code === 'UND_ERR_BODY_TIMEOUT' ||
    err?.code === 'UND_ERR_CONNECT_TIMEOUT';
  return { message: `${err?.code ?? err?.name ?? 'error'}: ${err?.message ?? String(e)}`, timeout };
}

/** Real calls to a provider: the 1-token test, the upstream's model list, and health probes. */
@Injectable()
export class ProviderProbe {
  constructor(private readonly providers: ProvidersService) {}

  /** One 1-token chat per credential (or the one asked for); latency and the upstream's error if any. */
  async test(id: string, model: string, credentialId?: string): Promise<ProbeResult[]> {
    const entity = await this.providers.get(id);
    const provider = this.providers.runtime(entity, false);
    const creds = provider.credentials.filter((c) => !credentialId || c.id === credentialId);
    const targets = creds.length ? creds : [KEYLESS];
    return Promise.all(
      targets.map(async (credential) => {
        const hint = entity.credentials?.find((c) => c.id === credential.id)?.hint ?? null;
        const r = await this.chatOnce(provider, credential, model, Math.min(provider.timeoutMs, 30_000));
        return {
          credentialId: credential.id || null,
          hint,
          ok: r.ok,
          status: r.status,
          latencyMs: r.latencyMs,
          ...(r.error !== undefined ? { error: r.error } : {}),
        };
      }),
    );
  }

  /**
   * The cheapest real call that proves a credential works: the upstream's model list; when the
   * upstream has no model list (404/405/501) and a model is known, a 1-token chat instead.
   */
  async checkCredential(
    provider: RuntimeProvider,
    credential: RuntimeCredential | null,
    fallbackModel: string | undefined,
    timeoutMs: number,
  ): Promise<CredentialCheck> {
    const cred = credential ?? KEYLESS;
    const t0 = performance.now();
    try {
      await adapterFor(provider.type).listModels(
        { provider, credential: cred },
        AbortSignal.timeout(timeoutMs),
      );
      return {
        method: 'models',
        ok: true,
        status: 200,
        latencyMs: Math.round(performance.now() - t0),
        timeout: false,
      };
    } catch (e) {
      const latencyMs = Math.round(performance.now() - t0);
      if (e instanceof UpstreamStatusError) {
        if ([404, 405, 501].includes(e.status) && fallbackModel)
          return this.chatOnce(provider, cred, fallbackModel, timeoutMs);
        return { method: 'models', ok: false, status: e.status, latencyMs, error: e.message, timeout: false };
      }
      const d = errorText(e);
      return { method: 'models', ok: false, status: null, latencyMs, error: d.message, timeout: d.timeout };
    }
  }

  private async chatOnce(
    provider: RuntimeProvider,
    credential: RuntimeCredential,
    model: string,
    timeoutMs: number,
  ): Promise<CredentialCheck> {
    const adapter = adapterFor(provider.type);
    const t0 = performance.now();
    const req: UpstreamRequest = {
      op: 'chat',
      stream: false,
      upstreamModel: model,
      body: oneTokenBody(adapter.protocol, model),
      signal: AbortSignal.timeout(timeoutMs),
    };
    try {
      const res = await adapter.send({ provider, credential }, req);
      const text = await bodyText(res.body);
      const latencyMs = Math.round(performance.now() - t0);
      const ok = res.status < 400;
      return {
        method: 'chat',
        ok,
        status: res.status,
        latencyMs,
        timeout: false,
        ...(ok ? {} : { error: upstreamErrorMessage(res.status, text) }),
      };
    } catch (e) {
      const d = errorText(e);
      return {
        method: 'chat',
        ok: false,
        status: null,
        latencyMs: Math.round(performance.now() - t0),
        error: d.message,
        timeout: d.timeout,
      };
    }
  }

  async upstreamModels(id: string): Promise<string[]> {
    const provider = this.providers.runtime(await this.providers.get(id), false);
    const credential = provider.credentials[0] ?? KEYLESS;
    try {
      return await adapterFor(provider.type).listModels(
        { provider, credential },
        AbortSignal.timeout(Math.min(provider.timeoutMs, 30_000)),
      );
    } catch (e) {
      throw new BadGatewayException(`Could not list the upstream's models: ${(e as Error).message}`);
    }
  }
}
