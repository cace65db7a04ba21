import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import type { IncomingHttpHeaders } from 'node:http';
import type { EventSourceMessage } from 'eventsource-parser';
import { DataSource, IsNull, Repository } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { ResolvedApiKey } from '../api-keys/api-keys.service';
import { AppConfig } from '../config/app-config';
import { GatewayError } from '../gateway/gateway-error';
import { codecs } from '../gateway/translate';
import type { CanonicalPart, CanonicalRequest, ProtocolCodec } from '../gateway/translate/canonical';
import { TranslationError } from '../gateway/translate/errors';
import {
  messageTokens,
  partsText,
  prependCanonical,
  ReplyCollector,
  spliceHistory,
  SpliceProtocol,
  StoredTurn,
  summaryNote,
  systemTokens,
  trimHistory,
  UUID_RE,
} from './history';
import { SessionBusyError, SessionLease, SessionLocks } from './session-lock';
import { SessionSummarizer } from './session-summarizer.service';
import { Session, SessionMessage } from './session.entity';

type Json = Record<string, unknown>;
type WireProtocol = 'openai' | 'anthropic' | 'gemini';

const codecOf = (p: string): ProtocolCodec => (codecs as Record<string, ProtocolCodec>)[p];

/**
 * One chat request on a session, from history load to append. It holds the session's lock; the
 * gateway feeds it the upstream answer (`observeJson` / `tap`) and hands it back to `commit`.
 */
export class SessionTurn {
  private reply: CanonicalPart[] = [];

  constructor(
    readonly sessionId: string,
    readonly model: string,
    /** The client's new messages (canonical, without the system prompt). */
    readonly newMessages: StoredTurn[],
    readonly trimmed: { messages: number; tokens: number },
    private readonly lease: SessionLease,
    /** Last trimmed seq the summary does not cover yet (summarised after the append). */
    readonly summarizeThrough?: number,
  ) {}

  /** Response headers that tell the client what the gateway did. */
  get headers(): Record<string, string> {
    return { 'x-session-id': this.sessionId, 'x-session-trimmed-messages': String(this.trimmed.messages) };
  }

  /** A non-streamed upstream answer (any protocol). */
  observeJson(protocol: WireProtocol, json: unknown): void {
    try {
      this.reply = codecOf(protocol).decodeResponse(json).parts;
    } catch {
      this.reply = [];
    }
  }

  /** Wraps the relay's event handler: the reply is rebuilt from canonical events next to it. */
  tap(protocol: WireProtocol, onEvent: (ev: EventSourceMessage) => void): (ev: EventSourceMessage) => void {
    const decode = codecOf(protocol).createStreamDecoder();
    const collector = new ReplyCollector();
    this.reply = [];
    return (ev) => {
      onEvent(ev);
      try {
        for (const ce of decode({ event: ev.event, data: ev.data })) collector.push(ce);
      } catch {
        // The client's relay already handled this event; memory only records what it could read.
      }
      this.reply = collector.result();
    };
  }

  get replyParts(): CanonicalPart[] {
    return this.reply;
  }

  release(): Promise<void> {
    return this.lease.release();
  }
}

export interface PrepareInput {
  key: ResolvedApiKey;
  headers: IncomingHttpHeaders;
  front: SpliceProtocol;
  /** The client's body in its own protocol. */
  body: Json;
  /** The decoded request when the front door already decoded it (all but OpenAI). */
  canonical?: CanonicalRequest;
  /** Public model name (for the per-model context budget). */
  model: string;
}

export interface Prepared {
  turn: SessionTurn;
  /** The client body with the history spliced in (for same-protocol pass-through). */
  body: Json;
  /** The decoded request with the history in front (when one was given). */
  canonical?: CanonicalRequest;
}

/**
 * The gateway side of memory: finds the session of a chat request, loads its history under the
 * session's lock, trims it to the context budget, splices it into the request, and after a
 * successful answer appends the new turn and the reply.
 */
@Injectable()
export class MemoryService {
  private readonly logger = new Logger('Memory');

  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectRepository(SessionMessage) private readonly messages: Repository<SessionMessage>,
    private readonly locks: SessionLocks,
    private readonly data: DataSource,
    private readonly config: AppConfig,
    private readonly summarizer: SessionSummarizer,
  ) {}

  /**
   * The session id of a request: `X-Session-Id` when it is a UUID (other values stay plain sticky
   * routing keys), Anthropic `metadata.session_id`, or — with MEMORY_SESSION_FROM_USER — an OpenAI
   * `user` that is a UUID.
   */
  sessionIdOf(front: SpliceProtocol, headers: IncomingHttpHeaders, body: Json): string | undefined {
    const h = headers['x-session-id'];
    if (typeof h === 'string' && UUID_RE.test(h.trim())) return h.trim().toLowerCase();
    const md = body.metadata as Json | undefined;
    if (front === 'anthropic' && md && typeof md === 'object' && md.session_id !== undefined) {
      if (typeof md.session_id !== 'string' || !UUID_RE.test(md.session_id))
        throw new GatewayError(400, 'metadata.session_id must be a session UUID', 'invalid_request_error');
      return md.session_id.toLowerCase();
    }
    if (front === 'openai' && this.config.memory.sessionFromUser && typeof body.user === 'string')
      if (UUID_RE.test(body.user)) return body.user.toLowerCase();
    return undefined;
  }

  contextBudget(session: Session, model: string): number {
    return (
      session.maxContextTokens ??
      this.config.memory.modelContextTokens.get(model) ??
      this.config.memory.maxContextTokens
    );
  }

  /** null when the request names no session or its key has memory turned off. */
  async prepare(input: PrepareInput): Promise<Prepared | null> {
    const { key } = input;
    if (!key.memoryEnabled || (key.scopes && !key.scopes.has('sessions'))) {
      // X-Session-Id may just be a sticky-routing key; metadata.session_id is only ever a session.
      const md = input.body.metadata as Json | undefined;
      if (input.front === 'anthropic' && md && typeof md === 'object' && md.session_id !== undefined)
        throw new GatewayError(403, 'Sessions are not available to this API key', 'memory_disabled');
      return null;
    }
    const id = this.sessionIdOf(input.front, input.headers, input.body);
    if (!id) return null;
    const notFound = () =>
      new GatewayError(404, `Session '${id}' not found`, 'session_not_found', 'x-session-id');
    const owned = await this.sessions.exist({ where: { id, userId: key.userId, deletedAt: IsNull() } });
    if (!owned) throw notFound();

    const canonical = input.canonical ?? this.decode(input.front, input.body);
    const newMessages: StoredTurn[] = canonical.messages.map((m) => ({ ...m, tokens: messageTokens(m) }));

    let lease: SessionLease;
    try {
      lease = await this.locks.acquire(id, this.config.memory.lockWaitMs);
    } catch (e) {
      if (e instanceof SessionBusyError)
        throw new GatewayError(
          409,
          `Session '${id}' is busy with another request; retry when it has finished`,
          'session_busy',
          'x-session-id',
        );
      throw e;
    }
    try {
      // Re-read under the lock: the session may have been deleted or changed while we waited.
      const session = await this.sessions.findOne({ where: { id, userId: key.userId, deletedAt: IsNull() } });
      if (!session) throw notFound();
      const rows = await this.messages.find({
        where: { sessionId: id },
        order: { seq: 'ASC' },
        select: { seq: true, role: true, content: true, tokens: true },
      });
      const history: StoredTurn[] = rows.map((r) => ({ role: r.role, parts: r.content, tokens: r.tokens }));
      const system = canonical.system?.length
        ? canonical.system
        : session.systemPrompt
          ? [{ type: 'text' as const, text: session.systemPrompt }]
          : undefined;
      const fixed = systemTokens(system) + newMessages.reduce((s, m) => s + m.tokens, 0);
      const budget = this.contextBudget(session, input.model);
      const continuesTurn = canonical.messages[0]?.role === 'tool';
      let trim = trimHistory(history, budget, fixed, continuesTurn);
      // A summary of older turns (MEMORY_SUMMARY_MODEL) replaces what trimming leaves out.
      let note: string | undefined;
      if (trim.trimmedMessages && session.summary && session.summaryThrough !== null) {
        note = summaryNote(session.summary, session.summaryThrough);
        trim = trimHistory(
          history,
          budget,
          fixed + systemTokens([{ type: 'text', text: note }]),
          continuesTurn,
        );
      }
      const lastTrimmed = trim.trimmedMessages ? rows[trim.trimmedMessages - 1].seq : -1;
      const kept = trim.kept.map(({ role, parts }) => ({ role, parts }));
      const turn = new SessionTurn(
        id,
        input.model,
        newMessages,
        { messages: trim.trimmedMessages, tokens: trim.trimmedTokens },
        lease,
        this.summarizer.enabled && lastTrimmed > (session.summaryThrough ?? -1) ? lastTrimmed : undefined,
      );
      return {
        turn,
        body: spliceHistory(input.front, input.body, kept, session.systemPrompt, note),
        canonical: input.canonical && prependCanonical(input.canonical, kept, session.systemPrompt, note),
      };
    } catch (e) {
      await lease.release();
      throw e;
    }
  }

  /**
   * Appends the new messages and the reply (only after a complete, successful answer). Never
   * throws: the client already has its answer, so a failure is logged. The lock is still held here;
   * the gateway releases it when the request ends.
   */
  async commit(turn: SessionTurn, succeeded: boolean): Promise<void> {
    if (!succeeded) return;
    const reply = turn.replyParts;
    const toAppend: StoredTurn[] = [...turn.newMessages];
    if (reply.length) {
      const m = { role: 'assistant' as const, parts: reply };
      toAppend.push({ ...m, tokens: messageTokens(m) });
    }
    if (!toAppend.length) return;
    try {
      await this.append(turn.sessionId, toAppend, {
        model: turn.model,
        trimmed: turn.trimmed,
      });
      if (turn.summarizeThrough !== undefined)
        this.summarizer.schedule(turn.sessionId, turn.summarizeThrough);
    } catch (e) {
      this.logger.error(`could not append to session ${turn.sessionId}: ${(e as Error).message}`);
    }
  }

  /**
   * Appends messages at the end of a session in one transaction. The session row is locked
   * (`FOR UPDATE`) and the next sequence numbers come from its message count, so appends stay
   * consecutive even without the request lock.
   */
  async append(
    sessionId: string,
    msgs: StoredTurn[],
    opts: { model?: string; trimmed?: { messages: number; tokens: number } } = {},
  ): Promise<number> {
    return this.data.transaction(async (m) => {
      const s = await m
        .getRepository(Session)
        .createQueryBuilder('s')
        .setLock('pessimistic_write')
        .where('s.id = :id AND s.deleted_at IS NULL', { id: sessionId })
        .getOne();
      if (!s) return 0;
      const now = new Date();
      await m.getRepository(SessionMessage).insert(
        msgs.map((x, i) => ({
          sessionId,
          seq: s.messageCount + i,
          role: x.role,
          content: x.parts,
          tokens: x.tokens,
          createdAt: now,
        })) as unknown as QueryDeepPartialEntity<SessionMessage>[],
      );
      const firstUser = msgs.find((x) => x.role === 'user');
      const title = s.title ?? (firstUser ? titleFrom(partsText(firstUser.parts)) : null);
      await m.getRepository(Session).update(
        { id: sessionId },
        {
          messageCount: s.messageCount + msgs.length,
          tokenCount: s.tokenCount + msgs.reduce((n, x) => n + x.tokens, 0),
          lastMessageAt: now,
          updatedAt: now,
          title,
          model: s.model ?? opts.model ?? null,
          ...(opts.trimmed
            ? {
                trimmedMessages: opts.trimmed.messages,
                trimmedTokens: opts.trimmed.tokens,
                trimmedAt: opts.trimmed.messages ? now : s.trimmedAt,
              }
            : {}),
        },
      );
      return msgs.length;
    });
  }

  private decode(front: SpliceProtocol, body: Json): CanonicalRequest {
    try {
      return codecOf(front).decodeRequest(body).value;
    } catch (e) {
      if (e instanceof TranslationError)
        throw new GatewayError(e.status, e.message, 'invalid_request_error', e.param);
      throw e;
    }
  }
}

/** A title from the first user message: one line, at most 80 characters. */
export function titleFrom(text: string): string | null {
  const line = text.replace(/\s+/g, ' ').trim();
  if (!line) return null;
  return line.length > 80 ? `${line.slice(0, 79)}…` : line;
}
