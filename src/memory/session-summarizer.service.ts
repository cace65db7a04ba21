import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Between, IsNull, Repository } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { codecs } from '../gateway/translate';
import type { CanonicalRequest, ProtocolCodec } from '../gateway/translate/canonical';
import { adapterFor } from '../providers/adapters';
import { bodyText, tryJson, upstreamErrorMessage } from '../providers/adapters/upstream-io';
import { RoutingService } from '../routing/routing.service';
import { partsText, transcriptText } from './history';
import { Session, SessionMessage } from './session.entity';

const codecOf = (p: string): ProtocolCodec => (codecs as Record<string, ProtocolCodec>)[p];

const INSTRUCTIONS =
  'You maintain the running summary of a conversation between a user and an assistant. Merge the ' +
  'previous summary (if any) with the new messages into one concise summary that keeps facts, ' +
  'decisions, names, numbers, open questions and tool results the assistant may need later. ' +
  'Answer with the summary only.';
const TIMEOUT_MS = 60_000;
const MAX_SUMMARY_TOKENS = 600;

/**
 * Stretch goal of issue 7: when trimming leaves old turns out, MEMORY_SUMMARY_MODEL (a public chat
 * model, routed like any request) folds them into `sessions.summary` in the background; later
 * requests send that summary as a system note in place of the trimmed turns. Off when unset.
 */
@Injectable()
export class SessionSummarizer implements OnApplicationShutdown {
  private readonly logger = new Logger('SessionSummarizer');
  private readonly running = new Map<string, Promise<void>>();
  private readonly abort = new AbortController();

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectRepository(SessionMessage) private readonly messages: Repository<SessionMessage>,
    private readonly routing: RoutingService,
    private readonly config: AppConfig,
  ) {}

  get enabled(): boolean {
    return !!this.config.memory.summaryModel;
  }

  onApplicationShutdown(): void {
    this.abort.abort(new Error('shutting down'));
  }

  /** Starts folding messages up to `through` into the summary unless a run for the session is going. */
  schedule(sessionId: string, through: number): void {
    if (!this.enabled || through < 0 || this.running.has(sessionId)) return;
    const run = this.summarize(sessionId, through)
      .catch((e: Error) => this.logger.warn(`summary of session ${sessionId} failed: ${e.message}`))
      .finally(() => this.running.delete(sessionId));
    this.running.set(sessionId, run);
  }

  /** Resolves when the session's current run (if any) has finished (tests, shutdown). */
  async idle(sessionId: string): Promise<void> {
    await this.running.get(sessionId);
  }

  async summarize(sessionId: string, through: number): Promise<void> {
    const s = await this.sessions.findOne({ where: { id: sessionId, deletedAt: IsNull() } });
    const from = (s?.summaryThrough ?? -1) + 1;
    if (!s || from > through) return;
    const rows = await this.messages.find({
      where: { sessionId, seq: Between(from, through) },
      order: { seq: 'ASC' },
    });
    if (!rows.length) return;
    const prompt =
      (s.summary ? `Previous summary:\n${s.summary}\n\n` : '') +
      `New messages:\n${transcriptText(rows.map((r) => ({ role: r.role, parts: r.content })))}`;
    const summary = (await this.complete(prompt)).trim();
    if (!summary) throw new Error('the summary model answered with no text');
    // Only moves forward: a slower, older run never overwrites a newer summary.
    await this.sessions
      .createQueryBuilder()
      .update(Session)
      .set({ summary, summaryThrough: through })
      .where('id = :id AND (summary_through IS NULL OR summary_through < :through)', {
        id: sessionId,
        through,
      })
      .execute();
  }

  /** One non-streamed call through the routing table (failover across the model's candidates). */
  private async complete(text: string): Promise<string> {
    const name = this.config.memory.summaryModel!;
    const model = this.routing.model(name);
    if (!model || model.type !== 'chat')
      throw new Error(`MEMORY_SUMMARY_MODEL '${name}' is not a chat model`);
    const request: CanonicalRequest = {
      model: name,
      system: [{ type: 'text', text: INSTRUCTIONS }],
      messages: [{ role: 'user', parts: [{ type: 'text', text }] }],
      maxTokens: MAX_SUMMARY_TOKENS,
      stream: false,
    };
    const errors: string[] = [];
    for (const c of this.routing.plan(model, { tools: false, structuredOutput: false, vision: false })) {
      const adapter = adapterFor(c.route.provider.type);
      const signal = AbortSignal.any([this.abort.signal, AbortSignal.timeout(TIMEOUT_MS)]);
      try {
        const up = await adapter.send(
          { provider: c.route.provider, credential: c.credential },
          {
            op: 'chat',
            stream: false,
            upstreamModel: c.route.upstreamModel,
            body: codecOf(adapter.protocol).encodeRequest(request, c.route.upstreamModel).value,
            signal,
          },
        );
        const body = await bodyText(up.body);
        if (up.status >= 400) {
          errors.push(`${c.route.provider.name}: ${upstreamErrorMessage(up.status, body)}`);
          this.routing.reportFailure(c);
          continue;
        }
        return partsText(codecOf(adapter.protocol).decodeResponse(tryJson(body)).parts);
      } catch (e) {
        if (this.abort.signal.aborted) throw e;
        errors.push(`${c.route.provider.name}: ${(e as Error).message}`);
        this.routing.reportFailure(c);
      }
    }
    throw new Error(`no upstream answered (${errors.join('; ') || 'no route'})`);
  }
}
