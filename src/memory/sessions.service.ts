import { BadRequestException, Injectable, NotFoundException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository, SelectQueryBuilder } from 'typeorm';
import { renderMarkdown } from './export';
import {
  CreateSessionDto,
  ForkSessionDto,
  SessionDetailView,
  SessionMessageView,
  SessionPageView,
  SessionSearchQueryDto,
  SessionView,
  UpdateSessionDto,
} from './dto/session.dto';
import { Session, SessionMessage } from './session.entity';

/**
 * Who may see which sessions: a key holder or a member/viewer sees their own (`userId`), a
 * dashboard admin every session of their tenant (`tenantId`).
 */
export type SessionScope = { userId: string; tenantId: string } | { tenantId: string; userId?: undefined };

export interface SessionOwner {
  userId: string;
  tenantId: string;
  apiKeyId: string | null;
}

export function toSessionView(s: Session): SessionView {
  return {
    id: s.id,
    title: s.title,
    systemPrompt: s.systemPrompt,
    model: s.model,
    maxContextTokens: s.maxContextTokens,
    messageCount: s.messageCount,
    tokenCount: s.tokenCount,
    userId: s.userId,
    apiKeyId: s.apiKeyId,
    trimmed: { messages: s.trimmedMessages, tokens: s.trimmedTokens, at: s.trimmedAt },
    summary: s.summary,
    summaryThrough: s.summaryThrough,
    lastMessageAt: s.lastMessageAt,
    createdAt: s.createdAt,
    updatedAt: s.updatedAt,
  };
}

const toMessageView = (m: SessionMessage): SessionMessageView => ({
  seq: m.seq,
  role: m.role,
  content: m.content,
  tokens: m.tokens,
  createdAt: m.createdAt,
});

const escapeLike = (q: string) => q.replace(/[\\%_]/g, (c) => `\\${c}`);

export interface ExportFile {
  filename: string;
  contentType: string;
  body: string;
}

/** Session CRUD for `/v1/sessions` (key holders) and `/api/sessions` (dashboard). */
@Injectable()
export class SessionsService {
  constructor(
    @InjectRepository(Session) private readonly sessions: Repository<Session>,
    @InjectRepository(SessionMessage) private readonly messages: Repository<SessionMessage>,
    private readonly data: DataSource,
  ) {}

  private scoped(scope: SessionScope): SelectQueryBuilder<Session> {
    const qb = this.sessions
      .createQueryBuilder('s')
      .where('s.deleted_at IS NULL')
      .andWhere('s.tenant_id = :tenantId', { tenantId: scope.tenantId });
    if (scope.userId) qb.andWhere('s.user_id = :userId', { userId: scope.userId });
    return qb;
  }

  async create(owner: SessionOwner, dto: CreateSessionDto): Promise<Session> {
    const saved = await this.sessions.save(
      this.sessions.create({
        userId: owner.userId,
        tenantId: owner.tenantId,
        apiKeyId: owner.apiKeyId,
        title: dto.title ?? null,
        systemPrompt: dto.systemPrompt ?? null,
        model: dto.model ?? null,
        maxContextTokens: dto.maxContextTokens ?? null,
        deletedAt: null,
      }),
    );
    return this.get({ userId: owner.userId, tenantId: owner.tenantId }, saved.id);
  }

  async list(scope: SessionScope, q: SessionSearchQueryDto): Promise<SessionPageView> {
    const limit = q.limit ?? 50;
    const offset = q.offset ?? 0;
    const qb = this.scoped(scope);
    if (q.userId) qb.andWhere('s.user_id = :filterUser', { filterUser: q.userId });
    if (q.q) {
      qb.andWhere(
        `(s.title ILIKE :q ESCAPE '\\' OR EXISTS (SELECT 1 FROM session_messages m WHERE m.session_id = s.id AND m.content::text ILIKE :q ESCAPE '\\'))`,
        { q: `%${escapeLike(q.q)}%` },
      );
    }
    const [rows, total] = await qb
      .orderBy('s.updated_at', 'DESC')
      .addOrderBy('s.id')
      .skip(offset)
      .take(limit)
      .getManyAndCount();
    return { data: rows.map(toSessionView), total, limit, offset };
  }

  async get(scope: SessionScope, id: string): Promise<Session> {
    const s = await this.scoped(scope).andWhere('s.id = :id', { id }).getOne();
    if (!s) throw new NotFoundException({ message: `Session '${id}' not found`, code: 'session_not_found' });
    return s;
  }

  async detail(scope: SessionScope, id: string): Promise<SessionDetailView> {
    const s = await this.get(scope, id);
    return { ...toSessionView(s), messages: (await this.loadMessages(id)).map(toMessageView) };
  }

  loadMessages(id: string): Promise<SessionMessage[]> {
    return this.messages.find({ where: { sessionId: id }, order: { seq: 'ASC' } });
  }

  async update(scope: SessionScope, id: string, dto: UpdateSessionDto): Promise<Session> {
    const s = await this.get(scope, id);
    const patch: Partial<Session> = {};
    if (dto.title !== undefined) patch.title = dto.title;
    if (dto.systemPrompt !== undefined) patch.systemPrompt = dto.systemPrompt;
    if (dto.model !== undefined) patch.model = dto.model;
    if (dto.maxContextTokens !== undefined) patch.maxContextTokens = dto.maxContextTokens;
    if (Object.keys(patch).length)
      await this.sessions.update({ id: s.id }, { ...patch, updatedAt: new Date() });
    return this.get(scope, id);
  }

  /** A new session of the same owner with the messages up to `upToMessage` (inclusive) copied. */
  async fork(
    scope: SessionScope,
    id: string,
    dto: ForkSessionDto,
    apiKeyId: string | null,
  ): Promise<Session> {
    const src = await this.get(scope, id);
    const last = dto.upToMessage ?? src.messageCount - 1;
    if (dto.upToMessage !== undefined && dto.upToMessage >= src.messageCount)
      throw new BadRequestException(
        `upToMessage must be below the session's message count (${src.messageCount})`,
      );
    const forkId = await this.data.transaction(async (m) => {
      const copy = await m.getRepository(Session).save(
        m.getRepository(Session).create({
          userId: src.userId,
          tenantId: src.tenantId,
          apiKeyId: apiKeyId ?? src.apiKeyId,
          title: dto.title ?? (src.title ? `${src.title.slice(0, 190)} (fork)` : null),
          systemPrompt: src.systemPrompt,
          model: src.model,
          maxContextTokens: src.maxContextTokens,
          // The summary only fits the fork when it covers nothing past the copied messages.
          summary: src.summaryThrough !== null && src.summaryThrough <= last ? src.summary : null,
          summaryThrough:
            src.summaryThrough !== null && src.summaryThrough <= last ? src.summaryThrough : null,
          deletedAt: null,
        }),
      );
      if (last >= 0) {
        await m.query(
          `INSERT INTO session_messages (session_id, seq, role, content, tokens, created_at)
           SELECT $1, seq, role, content, tokens, created_at FROM session_messages
           WHERE session_id = $2 AND seq <= $3`,
          [copy.id, src.id, last],
        );
        const [{ n, t, at }] = (await m.query(
          `SELECT count(*)::int AS n, coalesce(sum(tokens), 0)::int AS t, max(created_at) AS at
           FROM session_messages WHERE session_id = $1`,
          [copy.id],
        )) as { n: number; t: number; at: Date | null }[];
        await m
          .getRepository(Session)
          .update({ id: copy.id }, { messageCount: n, tokenCount: t, lastMessageAt: at });
      }
      return copy.id;
    });
    return this.get(scope, forkId);
  }

  /** Soft delete: the session is gone for every API at once; MemoryRetention purges it later. */
  async remove(scope: SessionScope, id: string): Promise<void> {
    const s = await this.get(scope, id);
    await this.sessions.update({ id: s.id }, { deletedAt: new Date() });
  }

  async export(scope: SessionScope, id: string, format: 'json' | 'markdown' = 'json'): Promise<ExportFile> {
    const s = await this.get(scope, id);
    const msgs = await this.loadMessages(id);
    const base = `session-${s.id}`;
    if (format === 'markdown') {
      return {
        filename: `${base}.md`,
        contentType: 'text/markdown; charset=utf-8',
        body: renderMarkdown(s, msgs),
      };
    }
    return {
      filename: `${base}.json`,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ session: toSessionView(s), messages: msgs.map(toMessageView) }, null, 2),
    };
  }
}
