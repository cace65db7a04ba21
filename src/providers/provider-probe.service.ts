import { BadGatewayException, Injectable } from '@nestjs/common';
import { adapterFor, UpstreamRequest } from './adapters';
import { readAll, upstreamErrorMessage } from './adapters/upstream-io';
import { ProvidersService } from './providers.service';

export interface ProbeResult {
  credentialId: string | null;
  hint: string | null;
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error?: string;
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

/** Real calls to a provider: the 1-token test and the upstream's model list. */
@Injectable()
export class ProviderProbe {
  constructor(private readonly providers: ProvidersService) {}

  /** One 1-token chat per credential (or the one asked for); latency and the upstream's error if any. */
  async test(id: string, model: string, credentialId?: string): Promise<ProbeResult[]> {
    const entity = await this.providers.get(id);
    const provider = this.providers.runtime(entity, false);
    const adapter = adapterFor(provider.type);
    const creds = provider.credentials.filter((c) => !credentialId || c.id === credentialId);
    const targets = creds.length ? creds : [{ id: '', secret: '', weight: 1 }];
    return Promise.all(
      targets.map(async (credential) => {
        const t0 = performance.now();
        const hint = entity.credentials?.find((c) => c.id === credential.id)?.hint ?? null;
        const req: UpstreamRequest = {
          op: 'chat',
          stream: false,
          upstreamModel: model,
          body: oneTokenBody(adapter.protocol, model),
          signal: AbortSignal.timeout(Math.min(provider.timeoutMs, 30_000)),
        };
        try {
          const res = await adapter.send({ provider, credential }, req);
          const text = await readAll(res.body);
          const latencyMs = Math.round(performance.now() - t0);
          const ok = res.status < 400;
          return {
            credentialId: credential.id || null,
            hint,
            ok,
            status: res.status,
            latencyMs,
            ...(ok ? {} : { error: upstreamErrorMessage(res.status, text) }),
          };
        } catch (e) {
          const err = e as { code?: string; message?: string };
          return {
            credentialId: credential.id || null,
            hint,
            ok: false,
            status: null,
            latencyMs: Math.round(performance.now() - t0),
            error: `${err.code ?? 'error'}: ${err.message ?? String(e)}`,
          };
        }
      }),
    );
  }

  async upstreamModels(id: string): Promise<string[]> {
    const provider = this.providers.runtime(await this.providers.get(id), false);
    const credential = provider.credentials[0] ?? { id: '', secret: '', weight: 1 };
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
