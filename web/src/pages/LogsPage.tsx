import { useState } from 'react';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  ChevronDown,
  ChevronLeft,
  ChevronRight,
  Download,
  RotateCcw,
  ScrollText,
  SlidersHorizontal,
} from 'lucide-react';
import { api, download, unwrap, type Schemas } from '../api/client';
import type { operations } from '../api/schema';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  Field,
  Input,
  PageHeader,
  Select,
  Skeleton,
  TableSkeleton,
} from '../components/ui';
import { QueryState } from '../components/QueryState';
import { Drawer, toast } from '../components/overlays';
import { formatDateTime, formatMs, statusTone, cx } from '../lib/format';
import { currentLang } from '../i18n';

type Log = Schemas['LogView'];
type Query = NonNullable<operations['LogsController_page']['parameters']['query']>;

interface Filters {
  from: string;
  to: string;
  model: string;
  providerId: string;
  apiKeyId: string;
  outcome: '' | 'success' | 'error';
  status: string;
}
const EMPTY: Filters = { from: '', to: '', model: '', providerId: '', apiKeyId: '', outcome: '', status: '' };

export function toQuery(f: Filters, page: number, pageSize: number): Query {
  return {
    ...(f.from ? { from: new Date(f.from).toISOString() } : {}),
    ...(f.to ? { to: new Date(f.to).toISOString() } : {}),
    ...(f.model.trim() ? { model: f.model.trim() } : {}),
    ...(f.providerId ? { providerId: f.providerId } : {}),
    ...(f.apiKeyId ? { apiKeyId: f.apiKeyId } : {}),
    ...(f.outcome ? { outcome: f.outcome } : {}),
    ...(f.status && /^\d{3}$/.test(f.status) ? { status: Number(f.status) } : {}),
    page,
    pageSize,
  };
}

function Stat({ label, value }: { label: string; value: React.ReactNode }) {
  return (
    <div className="rounded-2xl bg-fill px-4 py-3">
      <div className="text-xs text-muted">{label}</div>
      <div className="mt-0.5 text-sm font-medium text-fg tabular-nums">{value}</div>
    </div>
  );
}

function Body({ title, text }: { title: string; text: string | null }) {
  const { t } = useTranslation();
  let shown = text ?? '';
  try {
    if (text) shown = JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    /* not JSON: show as is */
  }
  return (
    <div>
      <h4 className="mb-2 text-sm font-semibold text-fg">{title}</h4>
      {text ? (
        <pre className="max-h-72 overflow-auto rounded-2xl bg-fill p-3 font-mono text-xs text-fg">
          {shown}
        </pre>
      ) : (
        <p className="text-sm text-muted">{t('logs.noBody')}</p>
      )}
    </div>
  );
}

function LogDetail({ id, onClose }: { id: string | null; onClose(): void }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const q = useQuery({
    queryKey: ['logs', 'one', id],
    queryFn: () => unwrap(api.GET('/api/logs/{id}', { params: { path: { id: id! } } })),
    enabled: !!id,
  });
  const l = q.data;
  return (
    <Drawer open={!!id} onClose={onClose} title={t('logs.detail')}>
      {!l ? (
        <div className="flex flex-col gap-3">
          <Skeleton className="h-16" />
          <Skeleton className="h-40" />
        </div>
      ) : (
        <div className="flex flex-col gap-6" data-testid="log-detail">
          <div className="flex flex-wrap items-center gap-2">
            <Badge tone={statusTone(l.status)}>{l.status}</Badge>
            <span className="text-sm font-medium text-fg">{l.model ?? '—'}</span>
            <span className="text-sm text-muted">
              → {l.providerName ?? '—'} / {l.upstreamModel ?? '—'}
            </span>
            {l.stream ? <Badge tone="primary">{t('logs.stream')}</Badge> : null}
          </div>
          {l.error ? (
            <p className="rounded-2xl bg-danger/10 px-4 py-3 text-sm text-danger">{l.error}</p>
          ) : null}
          <div className="grid grid-cols-2 gap-2 sm:grid-cols-3">
            <Stat label={t('logs.time')} value={formatDateTime(l.createdAt, lang)} />
            <Stat label={t('logs.latency')} value={formatMs(l.latencyMs)} />
            <Stat label={t('logs.ttft')} value={formatMs(l.ttftMs)} />
            <Stat label={t('logs.inputTokens')} value={l.inputTokens} />
            <Stat label={t('logs.outputTokens')} value={l.outputTokens} />
            <Stat label={t('logs.cachedReasoning')} value={`${l.cachedTokens} / ${l.reasoningTokens}`} />
            <Stat label={t('logs.endpoint')} value={`${l.protocol} · ${l.endpoint}`} />
            <Stat label={t('logs.clientIp')} value={l.clientIp ?? '—'} />
            <Stat label={t('logs.estimated')} value={l.usageEstimated ? t('common.yes') : t('common.no')} />
          </div>
          <div>
            <h4 className="mb-2 text-sm font-semibold text-fg">
              {t('logs.attempts', { count: l.attempts.length })}
            </h4>
            <ol className="flex flex-col gap-2">
              {l.attempts.map((a, i) => (
                <li key={i} className="flex items-start gap-3 rounded-2xl bg-fill px-4 py-3 text-sm">
                  <span className="flex size-6 shrink-0 items-center justify-center rounded-full bg-card text-xs font-semibold text-muted">
                    {i + 1}
                  </span>
                  <div className="min-w-0 flex-1">
                    <div className="flex flex-wrap items-center gap-2">
                      <span className="font-medium text-fg">{a.provider}</span>
                      <span className="font-mono text-xs text-muted">{a.upstreamModel}</span>
                      <Badge tone={a.status === null ? 'danger' : statusTone(a.status)}>
                        {a.status ?? t('logs.noResponse')}
                      </Badge>
                      <span className="text-xs text-muted">{formatMs(a.latencyMs)}</span>
                    </div>
                    {a.error ? <p className="mt-1 break-words text-xs text-danger">{a.error}</p> : null}
                  </div>
                </li>
              ))}
            </ol>
          </div>
          {l.droppedFields.length ? (
            <div>
              <h4 className="mb-2 text-sm font-semibold text-fg">{t('logs.dropped')}</h4>
              <div className="flex flex-wrap gap-1">
                {l.droppedFields.map((f) => (
                  <Badge key={f} tone="warning">
                    {f}
                  </Badge>
                ))}
              </div>
            </div>
          ) : null}
          <Body title={t('logs.requestBody')} text={l.requestBody} />
          <Body title={t('logs.responseBody')} text={l.responseBody} />
          <p className="font-mono text-xs text-muted">
            {t('logs.requestId')}: {l.requestId}
            {l.userAgent ? ` · ${l.userAgent}` : ''}
          </p>
        </div>
      )}
    </Drawer>
  );
}

export default function LogsPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const [draft, setDraft] = useState<Filters>(EMPTY);
  const [filters, setFilters] = useState<Filters>(EMPTY);
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const [exporting, setExporting] = useState(false);
  const [filtersOpen, setFiltersOpen] = useState(false); // phones: filters fold away
  const pageSize = 25;
  const providers = useQuery({ queryKey: ['providers'], queryFn: () => unwrap(api.GET('/api/providers')) });
  const keys = useQuery({
    queryKey: ['api-keys'],
    queryFn: () => unwrap(api.GET('/api/api-keys', { params: { query: {} } })),
  });
  const q = useQuery({
    queryKey: ['logs', filters, page],
    queryFn: () => unwrap(api.GET('/api/logs', { params: { query: toQuery(filters, page, pageSize) } })),
    placeholderData: keepPreviousData,
    refetchInterval: 15_000,
  });
  const set = <K extends keyof Filters>(k: K, v: Filters[K]) => setDraft((s) => ({ ...s, [k]: v }));
  const apply = (f: Filters) => {
    setFilters(f);
    setPage(1);
  };
  const keyName = (id: string | null) =>
    id ? (keys.data?.find((k) => k.id === id)?.name ?? id.slice(0, 8)) : '—';
  const pages = q.data ? Math.max(1, Math.ceil(q.data.total / pageSize)) : 1;
  const filtered = JSON.stringify(filters) !== JSON.stringify(EMPTY);

  const exportCsv = async () => {
    setExporting(true);
    try {
      const { page: _p, pageSize: _s, ...rest } = toQuery(filters, 1, 1);
      const qs = new URLSearchParams(Object.entries(rest).map(([k, v]) => [k, String(v)])).toString();
      await download(`/api/logs/export${qs ? `?${qs}` : ''}`, 'request-logs.csv');
      toast.success(t('logs.exported'));
    } catch (e) {
      toast.error((e as Error).message);
    } finally {
      setExporting(false);
    }
  };

  return (
    <div>
      <PageHeader
        title={t('logs.title')}
        subtitle={t('logs.subtitle')}
        actions={
          <Button
            variant="secondary"
            icon={<Download className="size-4" />}
            loading={exporting}
            onClick={() => void exportCsv()}
          >
            {t('logs.export')}
          </Button>
        }
      />
      <Card className="mb-4 p-4">
        <button
          type="button"
          className="flex w-full items-center justify-between text-sm font-medium text-fg sm:hidden"
          aria-expanded={filtersOpen}
          aria-controls="log-filters"
          onClick={() => setFiltersOpen((o) => !o)}
        >
          <span className="flex items-center gap-2">
            <SlidersHorizontal className="size-4 text-muted" />
            {t('logs.filters')}
            {filtered ? <Badge tone="primary">{t('logs.filtersOn')}</Badge> : null}
          </span>
          <ChevronDown
            className={cx('size-4 text-muted transition-transform', filtersOpen && 'rotate-180')}
          />
        </button>
        <form
          id="log-filters"
          className={cx(
            'gap-3 sm:grid sm:grid-cols-2 lg:grid-cols-4 lg:items-end',
            filtersOpen ? 'mt-4 grid sm:mt-0' : 'hidden',
          )}
          onSubmit={(e) => {
            e.preventDefault();
            setFiltersOpen(false);
            apply(draft);
          }}
        >
          <Field label={t('logs.from')} htmlFor="f-from">
            <Input
              id="f-from"
              type="datetime-local"
              value={draft.from}
              onChange={(e) => set('from', e.target.value)}
            />
          </Field>
          <Field label={t('logs.to')} htmlFor="f-to">
            <Input
              id="f-to"
              type="datetime-local"
              value={draft.to}
              onChange={(e) => set('to', e.target.value)}
            />
          </Field>
          <Field label={t('logs.model')} htmlFor="f-model">
            <Input
              id="f-model"
              value={draft.model}
              onChange={(e) => set('model', e.target.value)}
              placeholder="gpt-4o"
            />
          </Field>
          <Field label={t('logs.provider')} htmlFor="f-provider">
            <Select
              id="f-provider"
              value={draft.providerId}
              onChange={(e) => set('providerId', e.target.value)}
            >
              <option value="">{t('common.all')}</option>
              {providers.data?.map((p) => (
                <option key={p.id} value={p.id}>
                  {p.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('logs.key')} htmlFor="f-key">
            <Select id="f-key" value={draft.apiKeyId} onChange={(e) => set('apiKeyId', e.target.value)}>
              <option value="">{t('common.all')}</option>
              {keys.data?.map((k) => (
                <option key={k.id} value={k.id}>
                  {k.name}
                </option>
              ))}
            </Select>
          </Field>
          <Field label={t('logs.status')} htmlFor="f-outcome">
            <div className="flex gap-2 [&>select]:min-w-0 [&>select]:flex-1">
              <Select
                id="f-outcome"
                value={draft.outcome}
                onChange={(e) => set('outcome', e.target.value as Filters['outcome'])}
              >
                <option value="">{t('common.all')}</option>
                <option value="success">{t('logs.success')}</option>
                <option value="error">{t('logs.error')}</option>
              </Select>
              <div className="w-20 shrink-0">
                <Input
                  aria-label={t('logs.statusCode')}
                  inputMode="numeric"
                  placeholder="429"
                  value={draft.status}
                  onChange={(e) => set('status', e.target.value)}
                />
              </div>
            </div>
          </Field>
          <div className="flex gap-2">
            <Button type="submit" className="flex-1">
              {t('logs.apply')}
            </Button>
            <Button
              variant="secondary"
              aria-label={t('logs.reset')}
              title={t('logs.reset')}
              onClick={() => {
                setDraft(EMPTY);
                apply(EMPTY);
              }}
            >
              <RotateCcw className="size-4" />
            </Button>
          </div>
        </form>
      </Card>
      <QueryState
        query={q}
        skeleton={<TableSkeleton rows={8} />}
        isEmpty={(d) => !d.items.length}
        empty={
          <EmptyState
            icon={<ScrollText className="size-6" />}
            title={filtered ? t('logs.noMatchTitle') : t('logs.emptyTitle')}
            body={filtered ? t('logs.noMatchBody') : t('logs.emptyBody')}
          />
        }
      >
        {(logs) => (
          <Card className="overflow-hidden">
            <div className="overflow-x-auto">
              <table
                className={cx(
                  'w-full min-w-[820px] text-sm transition-opacity',
                  q.isPlaceholderData && 'opacity-60',
                )}
              >
                <thead>
                  <tr className="border-b border-line text-left text-xs text-muted">
                    <th className="px-5 py-3 font-medium">{t('logs.time')}</th>
                    <th className="px-3 py-3 font-medium">{t('logs.model')}</th>
                    <th className="px-3 py-3 font-medium">{t('logs.provider')}</th>
                    <th className="px-3 py-3 font-medium">{t('logs.key')}</th>
                    <th className="px-3 py-3 font-medium">{t('logs.status')}</th>
                    <th className="px-3 py-3 text-right font-medium">{t('logs.latency')}</th>
                    <th className="px-5 py-3 text-right font-medium">{t('logs.tokens')}</th>
                  </tr>
                </thead>
                <tbody>
                  {logs.items.map((l: Log) => (
                    <tr
                      key={l.id}
                      tabIndex={0}
                      onClick={() => setOpen(l.id)}
                      onKeyDown={(e) =>
                        (e.key === 'Enter' || e.key === ' ') && (e.preventDefault(), setOpen(l.id))
                      }
                      className="cursor-pointer border-b border-line transition-colors last:border-0 hover:bg-fill focus:bg-fill focus:outline-none"
                      data-testid="log-row"
                    >
                      <td className="whitespace-nowrap px-5 py-3 text-muted">
                        {formatDateTime(l.createdAt, lang)}
                      </td>
                      <td className="px-3 py-3 font-medium text-fg">{l.model ?? '—'}</td>
                      <td className="px-3 py-3 text-fg">{l.providerName ?? '—'}</td>
                      <td className="px-3 py-3 text-muted">{keyName(l.apiKeyId)}</td>
                      <td className="px-3 py-3">
                        <Badge tone={statusTone(l.status)}>{l.status}</Badge>
                        {l.attempts.length > 1 ? (
                          <span className="ml-1.5 text-xs text-muted">×{l.attempts.length}</span>
                        ) : null}
                      </td>
                      <td className="px-3 py-3 text-right tabular-nums text-fg">{formatMs(l.latencyMs)}</td>
                      <td className="px-5 py-3 text-right tabular-nums text-muted">
                        {l.inputTokens} / {l.outputTokens}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="flex items-center justify-between border-t border-line px-5 py-3 text-sm text-muted">
              <span>
                {logs.totalIsLowerBound
                  ? t('logs.totalMore', { count: logs.total })
                  : t('logs.total', { count: logs.total })}
              </span>
              <div className="flex items-center gap-2">
                <Button
                  size="sm"
                  variant="secondary"
                  aria-label={t('logs.prev')}
                  disabled={page <= 1}
                  onClick={() => setPage((p) => p - 1)}
                >
                  <ChevronLeft className="size-4" />
                </Button>
                <span className="tabular-nums">
                  {page} / {pages}
                </span>
                <Button
                  size="sm"
                  variant="secondary"
                  aria-label={t('logs.next')}
                  disabled={page >= pages}
                  onClick={() => setPage((p) => p + 1)}
                >
                  <ChevronRight className="size-4" />
                </Button>
              </div>
            </div>
          </Card>
        )}
      </QueryState>
      <LogDetail id={open} onClose={() => setOpen(null)} />
    </div>
  );
}
