import { useState } from 'react';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  Brain,
  Download,
  FileText,
  Image as ImageIcon,
  MessagesSquare,
  Search,
  Trash2,
  Wrench,
} from 'lucide-react';
import { api, download, unwrap, type Schemas } from '../api/client';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  IconButton,
  Input,
  PageHeader,
  TableSkeleton,
} from '../components/ui';
import { QueryState } from '../components/QueryState';
import { confirm, Drawer, toast } from '../components/overlays';
import { cx, formatDateTime, formatNumber, formatRelative } from '../lib/format';
import { currentLang } from '../i18n';

type Session = Schemas['SessionView'];
type Message = Schemas['SessionMessageView'];
type Part = Record<string, unknown> & { type?: string };

const PAGE = 25;

function pretty(v: unknown): string {
  if (typeof v === 'string') {
    try {
      return JSON.stringify(JSON.parse(v), null, 2);
    } catch {
      return v;
    }
  }
  return JSON.stringify(v, null, 2);
}

function partText(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v))
    return v
      .map((p) => (p && typeof p === 'object' && 'text' in p ? String((p as Part).text) : pretty(p)))
      .join('\n');
  return pretty(v);
}

/** One canonical content part: text, tool call, tool result, thinking or image. */
export function MessagePart({ part }: { part: Part }) {
  const { t } = useTranslation();
  switch (part.type) {
    case 'text':
      return <p className="whitespace-pre-wrap break-words">{String(part.text ?? '')}</p>;
    case 'thinking':
      return (
        <details className="text-muted">
          <summary className="flex cursor-pointer items-center gap-1.5 text-xs">
            <Brain className="size-3.5" />
            {t('sessions.thinking')}
          </summary>
          <p className="mt-1 whitespace-pre-wrap text-xs italic">
            {String(part.text ?? part.thinking ?? '')}
          </p>
        </details>
      );
    case 'tool_call':
      return (
        <div className="rounded-xl border border-line bg-card p-3" data-testid="tool-call">
          <div className="flex items-center gap-1.5 text-xs font-medium text-fg">
            <Wrench className="size-3.5 text-primary" />
            {t('sessions.toolCall', { name: String(part.name ?? '') })}
          </div>
          <pre className="mt-2 overflow-x-auto font-mono text-xs text-fg">{pretty(part.arguments ?? {})}</pre>
        </div>
      );
    case 'tool_result':
      return (
        <div className="rounded-xl border border-line bg-card p-3" data-testid="tool-result">
          <div className="text-xs font-medium text-fg">
            {t('sessions.toolResult', { name: String(part.name ?? part.toolCallId ?? '') })}
          </div>
          <pre className="mt-2 overflow-x-auto whitespace-pre-wrap font-mono text-xs text-fg">
            {partText(part.content)}
          </pre>
        </div>
      );
    case 'image':
      return (
        <p className="flex items-center gap-1.5 text-xs text-muted">
          <ImageIcon className="size-3.5" />
          {typeof part.url === 'string' ? part.url : t('sessions.image')}
        </p>
      );
    default:
      return <pre className="overflow-x-auto font-mono text-xs">{pretty(part)}</pre>;
  }
}

function MessageBubble({ m }: { m: Message }) {
  const { t } = useTranslation();
  const user = m.role === 'user';
  return (
    <li className={cx('flex flex-col gap-1', user ? 'items-end' : 'items-start')}>
      <span className="text-[11px] text-muted">
        {t(`sessions.role_${m.role}`)} · {t('sessions.tokens', { count: m.tokens })}
      </span>
      <div
        className={cx(
          'flex max-w-[90%] flex-col gap-2 rounded-2xl px-4 py-3 text-sm',
          user ? 'bg-primary text-white' : 'bg-fill text-fg',
        )}
      >
        {(m.content as Part[]).map((p, i) => (
          <MessagePart key={i} part={p} />
        ))}
      </div>
    </li>
  );
}

export default function SessionsPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const qc = useQueryClient();
  const [q, setQ] = useState('');
  const [offset, setOffset] = useState(0);
  const [open, setOpen] = useState<Session | null>(null);
  const list = useQuery({
    queryKey: ['sessions', q, offset],
    queryFn: () =>
      unwrap(
        api.GET('/api/sessions', {
          params: { query: { limit: PAGE, offset, ...(q.trim() ? { q: q.trim() } : {}) } },
        }),
      ),
  });
  const detail = useQuery({
    queryKey: ['session', open?.id],
    queryFn: () => unwrap(api.GET('/api/sessions/{id}', { params: { path: { id: open!.id } } })),
    enabled: !!open,
  });
  const remove = async (s: Session) => {
    if (
      !(await confirm({
        title: t('sessions.deleteTitle'),
        body: t('sessions.deleteBody', { title: s.title || s.id.slice(0, 8) }),
        destructive: true,
        confirmLabel: t('common.delete'),
      }))
    )
      return;
    try {
      await unwrap(api.DELETE('/api/sessions/{id}', { params: { path: { id: s.id } } }));
      toast.success(t('sessions.deleted'));
      if (open?.id === s.id) setOpen(null);
    } catch (e) {
      toast.error((e as Error).message);
    }
    void qc.invalidateQueries({ queryKey: ['sessions'] });
  };
  const exportAs = async (s: Session, format: 'json' | 'markdown') => {
    try {
      await download(
        `/api/sessions/${s.id}/export?format=${format}`,
        `session-${s.id}.${format === 'json' ? 'json' : 'md'}`,
      );
    } catch (e) {
      toast.error((e as Error).message);
    }
  };
  const total = list.data?.total ?? 0;
  return (
    <div>
      <PageHeader title={t('sessions.title')} subtitle={t('sessions.subtitle')} />
      <div className="relative mb-4 w-full sm:max-w-sm">
        <Search className="pointer-events-none absolute top-3 left-3 size-4 text-muted" />
        <Input
          aria-label={t('sessions.search')}
          placeholder={t('sessions.search')}
          className="pl-9"
          value={q}
          onChange={(e) => {
            setQ(e.target.value);
            setOffset(0);
          }}
        />
      </div>
      <QueryState
        query={list}
        isEmpty={(d) => !d.data.length}
        empty={
          <EmptyState
            icon={<MessagesSquare className="size-6" />}
            title={q ? t('sessions.noMatch') : t('sessions.emptyTitle')}
            body={t('sessions.emptyBody')}
          />
        }
      >
        {(sessions) => (
          <>
            <Card className="overflow-x-auto">
              <table className="w-full min-w-[680px] text-sm">
                <thead>
                  <tr className="border-b border-line text-left text-xs text-muted">
                    <th className="px-5 py-3 font-medium">{t('sessions.session')}</th>
                    <th className="px-3 py-3 font-medium">{t('sessions.model')}</th>
                    <th className="px-3 py-3 font-medium">{t('sessions.messages')}</th>
                    <th className="px-3 py-3 font-medium">{t('sessions.lastActive')}</th>
                    <th className="px-5 py-3" />
                  </tr>
                </thead>
                <tbody>
                  {sessions.data.map((s) => (
                    <tr
                      key={s.id}
                      className="cursor-pointer border-b border-line last:border-0 hover:bg-fill/60"
                      data-testid={`session-${s.id}`}
                      tabIndex={0}
                      onClick={() => setOpen(s)}
                      onKeyDown={(e) => e.target === e.currentTarget && e.key === 'Enter' && setOpen(s)}
                    >
                      <td className="px-5 py-3">
                        <div className="font-medium text-fg">{s.title || t('sessions.untitled')}</div>
                        <div className="font-mono text-xs text-muted">{s.id.slice(0, 8)}</div>
                      </td>
                      <td className="px-3 py-3 text-muted">{s.model ?? '—'}</td>
                      <td className="px-3 py-3 tabular-nums">
                        {s.messageCount}
                        <span className="text-xs text-muted">
                          {' '}
                          · {t('sessions.tokens', { count: s.tokenCount })}
                        </span>
                      </td>
                      <td className="px-3 py-3 text-muted">
                        {formatRelative(s.lastMessageAt ?? s.updatedAt, lang)}
                      </td>
                      <td className="px-5 py-3 text-right" onClick={(e) => e.stopPropagation()}>
                        <IconButton label={t('common.delete')} onClick={() => void remove(s)}>
                          <Trash2 className="size-4" />
                        </IconButton>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Card>
            {total > PAGE ? (
              <div className="mt-4 flex items-center justify-end gap-2 text-sm text-muted">
                <Button
                  size="sm"
                  variant="secondary"
                  disabled={offset === 0}
                  onClick={() => setOffset((o) => Math.max(0, o - PAGE))}
                >
                  {t('alerts.prev')}
                </Button>
                <span>
                  {offset + 1}–{Math.min(total, offset + PAGE)} / {formatNumber(total, lang)}
                </span>
                <Button
                  size="sm"
                  variant="secondary"
                  disabled={offset + PAGE >= total}
                  onClick={() => setOffset((o) => o + PAGE)}
                >
                  {t('alerts.next')}
                </Button>
              </div>
            ) : null}
          </>
        )}
      </QueryState>
      <Drawer open={!!open} onClose={() => setOpen(null)} title={open?.title || t('sessions.untitled')}>
        {open ? (
          <div className="flex flex-col gap-4">
            <div className="flex flex-wrap items-center gap-2">
              <Button
                size="sm"
                variant="secondary"
                icon={<Download className="size-4" />}
                onClick={() => void exportAs(open, 'json')}
              >
                JSON
              </Button>
              <Button
                size="sm"
                variant="secondary"
                icon={<FileText className="size-4" />}
                onClick={() => void exportAs(open, 'markdown')}
              >
                Markdown
              </Button>
              <Button
                size="sm"
                variant="danger"
                icon={<Trash2 className="size-4" />}
                onClick={() => void remove(open)}
              >
                {t('common.delete')}
              </Button>
            </div>
            <p className="text-xs text-muted">
              {t('sessions.created', { date: formatDateTime(open.createdAt, lang) })}
              {open.model ? ` · ${open.model}` : ''}
            </p>
            {detail.data?.systemPrompt ? (
              <div className="rounded-2xl border border-line p-3 text-sm">
                <Badge>{t('sessions.system')}</Badge>
                <p className="mt-2 whitespace-pre-wrap text-fg">{detail.data.systemPrompt}</p>
              </div>
            ) : null}
            {detail.data?.summary ? (
              <div className="rounded-2xl border border-line p-3 text-sm">
                <Badge tone="primary">{t('sessions.summary')}</Badge>
                <p className="mt-2 whitespace-pre-wrap text-fg">{detail.data.summary}</p>
              </div>
            ) : null}
            <QueryState
              query={detail}
              skeleton={<TableSkeleton rows={3} />}
              isEmpty={(d) => !d.messages.length}
              empty={<p className="text-sm text-muted">{t('sessions.noMessages')}</p>}
            >
              {(session) => (
                <ol className="flex flex-col gap-3" data-testid="session-messages">
                  {session.messages.map((m) => (
                    <MessageBubble key={m.seq} m={m} />
                  ))}
                </ol>
              )}
            </QueryState>
          </div>
        ) : null}
      </Drawer>
    </div>
  );
}
