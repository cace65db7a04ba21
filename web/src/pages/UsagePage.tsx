import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { BarChart3, Download, FileText, PiggyBank, Pencil, Search, Sprout, Tag, Trash2 } from 'lucide-react';
import { api, download, unwrap } from '../api/client';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  ErrorState,
  Field,
  IconButton,
  Input,
  NewButton,
  PageHeader,
  RowActions,
  Select,
  Skeleton,
} from '../components/ui';
import { QueryState } from '../components/QueryState';
import { confirm, DialogFooter, Modal, toast } from '../components/overlays';
import { Tabs } from '../components/Tabs';
import { BudgetForm, type Budget } from '../components/BudgetForm';
import { useDialogForm } from '../components/useDialogForm';
import { isAdmin, useAuth } from '../stores/auth';
import { useChartTheme } from '../lib/charts';
import { cx, formatDateTime, formatNumber } from '../lib/format';
import { formatUsd, OTHER, periodLabel, pivotReport, SERIES_COLORS, totalsByGroup } from '../lib/report';
import { currentLang } from '../i18n';

type Granularity = 'day' | 'week' | 'month';
type GroupBy = 'none' | 'tenant' | 'user' | 'key' | 'model' | 'provider';
type Kind = 'billing' | 'usage';

function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function StackedChart({
  title,
  data,
  series,
  granularity,
  money,
  testId,
}: {
  title: string;
  data: Record<string, string | number>[];
  series: string[];
  granularity: Granularity;
  money?: boolean;
  testId: string;
}) {
  const { t } = useTranslation();
  const c = useChartTheme();
  const lang = currentLang();
  const name = (s: string) => (s === OTHER ? t('usage.other') : s);
  const fmt = (v: number) => (money ? formatUsd(v) : formatNumber(v, lang));
  return (
    <Card className="p-5">
      <h3 className="mb-4 text-[15px] font-semibold text-fg">{title}</h3>
      <div className="h-64" data-testid={testId}>
        {!data.length ? (
          <p className="flex h-full items-center justify-center text-sm text-muted">{t('usage.noData')}</p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <BarChart data={data} margin={{ top: 4, right: 8, left: 0, bottom: 0 }}>
              <CartesianGrid stroke={c.grid} vertical={false} />
              <XAxis
                dataKey="period"
                tickFormatter={(p: string) => periodLabel(p, granularity, lang)}
                stroke={c.axis}
                fontSize={12}
                tickLine={false}
                axisLine={false}
              />
              <YAxis
                stroke={c.axis}
                fontSize={12}
                tickLine={false}
                axisLine={false}
                width={64}
                tickFormatter={(v: number) => fmt(v)}
              />
              <Tooltip
                contentStyle={{
                  background: c.tooltipBg,
                  border: `1px solid ${c.tooltipBorder}`,
                  borderRadius: 12,
                  color: c.text,
                }}
                labelFormatter={(p) => periodLabel(String(p), granularity, lang)}
                formatter={(v, n) => [fmt(Number(v)), name(String(n))]}
              />
              {series.length > 1 ? <Legend formatter={(v: string) => name(v)} /> : null}
              {series.map((s, i) => (
                <Bar
                  key={s}
                  dataKey={s}
                  stackId="a"
                  fill={SERIES_COLORS[i % SERIES_COLORS.length]}
                  radius={i === series.length - 1 ? [4, 4, 0, 0] : [0, 0, 0, 0]}
                />
              ))}
            </BarChart>
          </ResponsiveContainer>
        )}
      </div>
    </Card>
  );
}

function ReportTab() {
  const { t } = useTranslation();
  const lang = currentLang();
  const [kind, setKind] = useState<Kind>('billing');
  const [granularity, setGranularity] = useState<Granularity>('day');
  const [groupBy, setGroupBy] = useState<GroupBy>('model');
  const [from, setFrom] = useState(() => isoDay(new Date(Date.now() - 29 * 86_400_000)));
  const [to, setTo] = useState(() => isoDay(new Date()));
  const [busy, setBusy] = useState<'csv' | 'pdf' | null>(null);
  const query = {
    from: new Date(`${from}T00:00:00`).toISOString(),
    to: new Date(`${to}T23:59:59.999`).toISOString(),
    granularity,
    groupBy,
  };
  const badRange = !from || !to || from > to;
  const report = useQuery({
    queryKey: ['report', kind, query],
    queryFn: () =>
      kind === 'billing'
        ? unwrap(api.GET('/api/reports/billing', { params: { query } }))
        : unwrap(api.GET('/api/reports/usage', { params: { query } })),
    enabled: !badRange,
  });
  const rows = report.data?.rows ?? [];
  const cost = pivotReport(rows, 'costUsd');
  const tokens = pivotReport(rows, 'tokens');
  const groups = totalsByGroup(rows);
  const totals = report.data?.totals;
  const exportAs = async (format: 'csv' | 'pdf') => {
    setBusy(format);
    try {
      const qs = new URLSearchParams({ ...query, format }).toString();
      await download(`/api/reports/${kind}?${qs}`, `${kind}-report.${format}`);
      toast.success(t('usage.downloaded'));
    } catch (e) {
      toast.error((e as Error).message);
    } finally {
      setBusy(null);
    }
  };
  return (
    <div>
      <Card className="mb-4 grid gap-3 p-4 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))_auto]">
        <Field label={t('usage.source')} htmlFor="r-kind">
          <Select id="r-kind" value={kind} onChange={(e) => setKind(e.target.value as Kind)}>
            <option value="billing">{t('usage.kind_billing')}</option>
            <option value="usage">{t('usage.kind_usage')}</option>
          </Select>
        </Field>
        <Field label={t('usage.granularity')} htmlFor="r-gran">
          <Select
            id="r-gran"
            value={granularity}
            onChange={(e) => setGranularity(e.target.value as Granularity)}
          >
            {(['day', 'week', 'month'] as const).map((g) => (
              <option key={g} value={g}>
                {t(`usage.gran_${g}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('usage.groupBy')} htmlFor="r-group">
          <Select id="r-group" value={groupBy} onChange={(e) => setGroupBy(e.target.value as GroupBy)}>
            {(['none', 'tenant', 'user', 'key', 'model', 'provider'] as const).map((g) => (
              <option key={g} value={g}>
                {t(`usage.group_${g}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('usage.from')} htmlFor="r-from">
          <Input id="r-from" type="date" value={from} max={to} onChange={(e) => setFrom(e.target.value)} />
        </Field>
        <Field label={t('usage.to')} htmlFor="r-to" error={badRange ? t('usage.badRange') : undefined}>
          <Input id="r-to" type="date" value={to} min={from} onChange={(e) => setTo(e.target.value)} />
        </Field>
        <div className="flex items-end gap-2">
          <Button
            variant="secondary"
            icon={<Download className="size-4" />}
            loading={busy === 'csv'}
            disabled={badRange}
            onClick={() => void exportAs('csv')}
          >
            CSV
          </Button>
          <Button
            variant="secondary"
            icon={<FileText className="size-4" />}
            loading={busy === 'pdf'}
            disabled={badRange}
            onClick={() => void exportAs('pdf')}
          >
            PDF
          </Button>
        </div>
      </Card>
      {report.isError ? (
        <ErrorState
          message={report.error.message}
          onRetry={() => void report.refetch()}
          retryLabel={t('common.retry')}
        />
      ) : report.isLoading || !totals ? (
        <div className="grid gap-4">
          <Skeleton className="h-24" />
          <Skeleton className="h-72" />
        </div>
      ) : (
        <>
          <div className="mb-4 grid grid-cols-2 gap-4 lg:grid-cols-4">
            {[
              [t('usage.totalCost'), formatUsd(totals.costUsd), 'total-cost'],
              [t('usage.requests'), formatNumber(totals.requests, lang), 'total-requests'],
              [t('usage.inputTokens'), formatNumber(totals.inputTokens, lang), 'total-in'],
              [t('usage.outputTokens'), formatNumber(totals.outputTokens, lang), 'total-out'],
            ].map(([label, value, id]) => (
              <Card key={id} className="p-5">
                <div className="text-[13px] font-medium text-muted">{label}</div>
                <div
                  className="mt-2 text-[26px] font-semibold tracking-tight text-fg tabular-nums"
                  data-testid={id}
                >
                  {value}
                </div>
              </Card>
            ))}
          </div>
          {!rows.length ? (
            <EmptyState
              icon={<BarChart3 className="size-6" />}
              title={t('usage.emptyTitle')}
              body={t('usage.emptyBody')}
            />
          ) : (
            <>
              <div className="grid gap-4 lg:grid-cols-2">
                <StackedChart
                  title={t('usage.costOverTime')}
                  data={cost.data}
                  series={cost.series}
                  granularity={granularity}
                  money
                  testId="cost-chart"
                />
                <StackedChart
                  title={t('usage.tokensOverTime')}
                  data={tokens.data}
                  series={tokens.series}
                  granularity={granularity}
                  testId="tokens-chart"
                />
              </div>
              <Card className="mt-4 overflow-x-auto">
                <table className="w-full min-w-[640px] text-sm" data-testid="report-table">
                  <thead>
                    <tr className="border-b border-line text-left text-xs text-muted">
                      <th className="px-5 py-3 font-medium">{t(`usage.group_${groupBy}`)}</th>
                      <th className="px-3 py-3 text-right font-medium">{t('usage.requests')}</th>
                      <th className="px-3 py-3 text-right font-medium">{t('usage.inputTokens')}</th>
                      <th className="px-3 py-3 text-right font-medium">{t('usage.outputTokens')}</th>
                      <th className="px-5 py-3 text-right font-medium">{t('usage.cost')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {groups.map((g) => (
                      <tr key={g.label} className="border-b border-line">
                        <td className="px-5 py-3 font-medium text-fg">
                          {groupBy === 'none' ? t('usage.allTraffic') : g.label}
                        </td>
                        <td className="px-3 py-3 text-right tabular-nums">
                          {formatNumber(g.requests, lang)}
                        </td>
                        <td className="px-3 py-3 text-right tabular-nums">
                          {formatNumber(g.inputTokens, lang)}
                        </td>
                        <td className="px-3 py-3 text-right tabular-nums">
                          {formatNumber(g.outputTokens, lang)}
                        </td>
                        <td className="px-5 py-3 text-right tabular-nums">{formatUsd(g.costUsd)}</td>
                      </tr>
                    ))}
                  </tbody>
                  <tfoot>
                    <tr className="font-semibold text-fg">
                      <td className="px-5 py-3">{t('usage.total')}</td>
                      <td className="px-3 py-3 text-right tabular-nums">
                        {formatNumber(totals.requests, lang)}
                      </td>
                      <td className="px-3 py-3 text-right tabular-nums">
                        {formatNumber(totals.inputTokens, lang)}
                      </td>
                      <td className="px-3 py-3 text-right tabular-nums">
                        {formatNumber(totals.outputTokens, lang)}
                      </td>
                      <td className="px-5 py-3 text-right tabular-nums">{formatUsd(totals.costUsd)}</td>
                    </tr>
                  </tfoot>
                </table>
              </Card>
            </>
          )}
        </>
      )}
    </div>
  );
}

/** A price row as `/api/prices` returns it (the OpenAPI document only has an example). */
interface Price {
  id: string;
  model: string;
  providerId: string | null;
  inputPerM: number;
  outputPerM: number;
  cachedInputPerM: number | null;
  cacheWritePerM: number | null;
  reasoningPerM: number | null;
  effectiveFrom: string;
  note: string | null;
}

interface PriceDraft {
  model: string;
  inputPerM: string;
  outputPerM: string;
  cachedInputPerM: string;
  cacheWritePerM: string;
  note: string;
}

/** Validates a price form; returns i18n error keys by field. */
export function validatePrice(d: PriceDraft): Partial<Record<keyof PriceDraft, string>> {
  const e: Partial<Record<keyof PriceDraft, string>> = {};
  if (!d.model.trim()) e.model = 'prices.errModel';
  const num = (s: string) => s.trim() !== '' && Number.isFinite(Number(s)) && Number(s) >= 0;
  if (!num(d.inputPerM)) e.inputPerM = 'prices.errPrice';
  if (!num(d.outputPerM)) e.outputPerM = 'prices.errPrice';
  if (d.cachedInputPerM.trim() && !num(d.cachedInputPerM)) e.cachedInputPerM = 'prices.errPrice';
  if (d.cacheWritePerM.trim() && !num(d.cacheWritePerM)) e.cacheWritePerM = 'prices.errPrice';
  return e;
}

function PriceForm({ open, onClose, editing }: { open: boolean; onClose(): void; editing: Price | null }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const {
    value: d,
    set,
    err,
    error,
    setError,
    submit,
  } = useDialogForm({
    open,
    key: editing?.id ?? 'new',
    init: (): PriceDraft => ({
      model: editing?.model ?? '',
      inputPerM: editing ? String(editing.inputPerM) : '',
      outputPerM: editing ? String(editing.outputPerM) : '',
      cachedInputPerM: editing?.cachedInputPerM != null ? String(editing.cachedInputPerM) : '',
      cacheWritePerM: editing?.cacheWritePerM != null ? String(editing.cacheWritePerM) : '',
      note: editing?.note ?? '',
    }),
    validate: validatePrice,
  });
  const save = useMutation({
    mutationFn: async () => {
      const body = {
        model: d.model.trim(),
        inputPerM: Number(d.inputPerM),
        outputPerM: Number(d.outputPerM),
        // the OpenAPI document types nullable numbers as objects
        cachedInputPerM: (d.cachedInputPerM.trim() ? Number(d.cachedInputPerM) : null) as unknown as null,
        cacheWritePerM: (d.cacheWritePerM.trim() ? Number(d.cacheWritePerM) : null) as unknown as null,
        ...(d.note.trim() ? { note: d.note.trim() } : {}),
      };
      if (editing)
        return unwrap(api.PATCH('/api/prices/{id}', { params: { path: { id: editing.id } }, body }));
      return unwrap(api.POST('/api/prices', { body }));
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['prices'] });
      toast.success(t('prices.saved', { model: d.model.trim() }));
      onClose();
    },
    onError: (e: Error) => setError(e.message),
  });
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={editing ? t('prices.edit') : t('prices.create')}
      footer={
        <DialogFooter
          onCancel={onClose}
          loading={save.isPending}
          onSubmit={() => submit(() => save.mutate())}
        />
      }
    >
      <div className="flex flex-col gap-4">
        <Field label={t('prices.model')} htmlFor="p-model" error={err('model')}>
          <Input
            id="p-model"
            value={d.model}
            placeholder="gpt-4o-mini"
            onChange={(e) => set({ model: e.target.value })}
          />
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('prices.input')} htmlFor="p-in" error={err('inputPerM')}>
            <Input
              id="p-in"
              inputMode="decimal"
              value={d.inputPerM}
              onChange={(e) => set({ inputPerM: e.target.value })}
            />
          </Field>
          <Field label={t('prices.output')} htmlFor="p-out" error={err('outputPerM')}>
            <Input
              id="p-out"
              inputMode="decimal"
              value={d.outputPerM}
              onChange={(e) => set({ outputPerM: e.target.value })}
            />
          </Field>
          <Field label={t('prices.cached')} htmlFor="p-cached" error={err('cachedInputPerM')}>
            <Input
              id="p-cached"
              inputMode="decimal"
              value={d.cachedInputPerM}
              onChange={(e) => set({ cachedInputPerM: e.target.value })}
            />
          </Field>
          <Field label={t('prices.cacheWrite')} htmlFor="p-cache-write" error={err('cacheWritePerM')}>
            <Input
              id="p-cache-write"
              inputMode="decimal"
              value={d.cacheWritePerM}
              onChange={(e) => set({ cacheWritePerM: e.target.value })}
            />
          </Field>
        </div>
        <p className="text-xs text-muted">
          {t('prices.perMillion')} {t('prices.emptyRate')}
        </p>
        <Field label={t('prices.note')} htmlFor="p-note">
          <Input id="p-note" value={d.note} onChange={(e) => set({ note: e.target.value })} />
        </Field>
        {error ? (
          <p className="rounded-xl bg-danger/10 px-3 py-2 text-sm text-danger" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </Modal>
  );
}

function PricesTab() {
  const { t } = useTranslation();
  const lang = currentLang();
  const qc = useQueryClient();
  const admin = isAdmin(useAuth((s) => s.user));
  const [q, setQ] = useState('');
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Price | null>(null);
  const list = useQuery({
    queryKey: ['prices', q],
    queryFn: async () => {
      const r = await unwrap(
        api.GET('/api/prices', { params: { query: { q: q || undefined, pageSize: 500 } } }),
      );
      return r as unknown as { items: Price[]; total: number };
    },
  });
  const seed = useMutation({
    mutationFn: async () => (await unwrap(api.POST('/api/prices/seed'))) as unknown as { added: number },
    onSuccess: (r) => {
      toast.success(t('prices.seeded', { count: r.added }));
      void qc.invalidateQueries({ queryKey: ['prices'] });
    },
    onError: (e: Error) => toast.error(e.message),
  });
  const remove = async (p: Price) => {
    if (
      !(await confirm({
        title: t('prices.deleteTitle'),
        body: t('prices.deleteBody', { model: p.model }),
        destructive: true,
        confirmLabel: t('common.delete'),
      }))
    )
      return;
    try {
      await unwrap(api.DELETE('/api/prices/{id}', { params: { path: { id: p.id } } }));
      toast.success(t('prices.deleted', { model: p.model }));
    } catch (e) {
      toast.error((e as Error).message);
    }
    void qc.invalidateQueries({ queryKey: ['prices'] });
  };
  const openNew = () => {
    setEditing(null);
    setFormOpen(true);
  };
  return (
    <div>
      <div className="mb-4 flex flex-col gap-3 sm:flex-row sm:items-center sm:justify-between">
        <div className="relative w-full sm:max-w-xs">
          <Search className="pointer-events-none absolute top-3 left-3 size-4 text-muted" />
          <Input
            aria-label={t('prices.search')}
            placeholder={t('prices.search')}
            className="pl-9"
            value={q}
            onChange={(e) => setQ(e.target.value)}
          />
        </div>
        {admin ? (
          <div className="flex gap-2">
            <Button
              variant="secondary"
              icon={<Sprout className="size-4" />}
              loading={seed.isPending}
              onClick={() => seed.mutate()}
            >
              {t('prices.seed')}
            </Button>
            <NewButton onClick={openNew}>{t('prices.create')}</NewButton>
          </div>
        ) : null}
      </div>
      <QueryState
        query={list}
        isEmpty={(d) => !d.items.length}
        empty={
          <EmptyState
            icon={<Tag className="size-6" />}
            title={q ? t('prices.noMatch') : t('prices.emptyTitle')}
            body={t('prices.emptyBody')}
            action={
              admin && !q ? (
                <Button
                  icon={<Sprout className="size-4" />}
                  loading={seed.isPending}
                  onClick={() => seed.mutate()}
                >
                  {t('prices.seed')}
                </Button>
              ) : undefined
            }
          />
        }
      >
        {(prices) => (
          <Card className="overflow-x-auto">
            <table className="w-full min-w-[760px] text-sm">
              <thead>
                <tr className="border-b border-line text-left text-xs text-muted">
                  <th className="px-5 py-3 font-medium">{t('prices.model')}</th>
                  <th className="px-3 py-3 text-right font-medium">{t('prices.input')}</th>
                  <th className="px-3 py-3 text-right font-medium">{t('prices.output')}</th>
                  <th className="px-3 py-3 text-right font-medium">{t('prices.cached')}</th>
                  <th className="px-3 py-3 text-right font-medium">{t('prices.cacheWrite')}</th>
                  <th className="px-3 py-3 font-medium">{t('prices.effective')}</th>
                  <th className="px-5 py-3" />
                </tr>
              </thead>
              <tbody>
                {prices.items.map((p) => (
                  <tr key={p.id} className="border-b border-line last:border-0">
                    <td className="px-5 py-3">
                      <div className="font-medium text-fg">{p.model}</div>
                      {p.note ? <div className="text-xs text-muted">{p.note}</div> : null}
                    </td>
                    <td className="px-3 py-3 text-right tabular-nums">${p.inputPerM}</td>
                    <td className="px-3 py-3 text-right tabular-nums">${p.outputPerM}</td>
                    <td className="px-3 py-3 text-right tabular-nums">
                      {p.cachedInputPerM != null ? `$${p.cachedInputPerM}` : '—'}
                    </td>
                    <td className="px-3 py-3 text-right tabular-nums">
                      {p.cacheWritePerM != null ? `$${p.cacheWritePerM}` : '—'}
                    </td>
                    <td className="px-3 py-3 text-muted">
                      {formatDateTime(p.effectiveFrom, lang).split(',')[0]}
                    </td>
                    <RowActions
                      hidden={!admin}
                      onEdit={() => {
                        setEditing(p);
                        setFormOpen(true);
                      }}
                      onDelete={() => void remove(p)}
                    />
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        )}
      </QueryState>
      <PriceForm open={formOpen} onClose={() => setFormOpen(false)} editing={editing} />
    </div>
  );
}

export function BudgetBar({ b }: { b: Budget }) {
  const { t } = useTranslation();
  const pct = (x: number) => (b.amountUsd > 0 ? Math.min(100, (x / b.amountUsd) * 100) : x > 0 ? 100 : 0);
  const used = b.spentUsd + b.reservedUsd;
  const tone =
    pct(used) >= 100 ? 'bg-danger' : pct(used) >= (b.thresholds.at(-1) ?? 80) ? 'bg-warning' : 'bg-primary';
  return (
    <div>
      <div
        className="flex h-2 overflow-hidden rounded-full bg-fill"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(pct(used))}
        aria-label={t('budgets.used')}
      >
        <div
          className={cx('h-full transition-all duration-500', tone)}
          style={{ width: `${pct(b.spentUsd)}%` }}
        />
        <div
          className="h-full bg-primary/40"
          style={{ width: `${Math.max(0, pct(used) - pct(b.spentUsd))}%` }}
        />
      </div>
      <div className="mt-1 flex flex-wrap gap-x-3 text-xs text-muted tabular-nums">
        <span>{t('budgets.spent', { value: formatUsd(b.spentUsd) })}</span>
        {b.reservedUsd > 0 ? <span>{t('budgets.reserved', { value: formatUsd(b.reservedUsd) })}</span> : null}
        <span>{t('budgets.remaining', { value: formatUsd(b.remainingUsd) })}</span>
      </div>
    </div>
  );
}

function BudgetsTab() {
  const { t } = useTranslation();
  const lang = currentLang();
  const qc = useQueryClient();
  const admin = isAdmin(useAuth((s) => s.user));
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Budget | null>(null);
  const list = useQuery({
    queryKey: ['budgets'],
    queryFn: async () =>
      (await unwrap(api.GET('/api/budgets', { params: { query: {} } }))) as unknown as Budget[],
  });
  const remove = async (b: Budget) => {
    if (
      !(await confirm({
        title: t('budgets.deleteTitle'),
        body: t('budgets.deleteBody', { name: b.scopeName ?? b.scopeId }),
        destructive: true,
        confirmLabel: t('common.delete'),
      }))
    )
      return;
    try {
      await unwrap(api.DELETE('/api/budgets/{id}', { params: { path: { id: b.id } } }));
      toast.success(t('budgets.deleted'));
    } catch (e) {
      toast.error((e as Error).message);
    }
    void qc.invalidateQueries({ queryKey: ['budgets'] });
  };
  const openNew = () => {
    setEditing(null);
    setFormOpen(true);
  };
  return (
    <div>
      {admin ? (
        <div className="mb-4 flex justify-end">
          <NewButton onClick={openNew}>{t('budgets.create')}</NewButton>
        </div>
      ) : null}
      <QueryState
        query={list}
        empty={
          <EmptyState
            icon={<PiggyBank className="size-6" />}
            title={t('budgets.emptyTitle')}
            body={t('budgets.emptyBody')}
            action={admin ? <NewButton onClick={openNew}>{t('budgets.create')}</NewButton> : undefined}
          />
        }
      >
        {(budgets) => (
          <div className="grid gap-4 md:grid-cols-2">
            {budgets.map((b) => (
              <Card key={b.id} className="p-5" data-testid={`budget-${b.scopeName ?? b.scopeId}`}>
                <div className="mb-3 flex items-start justify-between gap-3">
                  <div className="min-w-0">
                    <div className="flex items-center gap-2">
                      <Badge tone="primary">{t(`budgets.scope_${b.scope}`)}</Badge>
                      {!b.enabled ? <Badge>{t('common.disabled')}</Badge> : null}
                    </div>
                    <p className="mt-2 truncate font-medium text-fg">{b.scopeName ?? b.scopeId}</p>
                    <p className="text-xs text-muted">
                      {formatUsd(b.amountUsd)} · {t(`budgets.period_${b.period}`)}
                      {b.periodEnd
                        ? ` · ${t('budgets.resets', { date: formatDateTime(b.periodEnd, lang).split(',')[0] })}`
                        : ''}
                    </p>
                  </div>
                  {admin ? (
                    <div className="flex shrink-0 gap-1">
                      <IconButton
                        label={t('common.edit')}
                        onClick={() => {
                          setEditing(b);
                          setFormOpen(true);
                        }}
                      >
                        <Pencil className="size-4" />
                      </IconButton>
                      <IconButton label={t('common.delete')} onClick={() => void remove(b)}>
                        <Trash2 className="size-4" />
                      </IconButton>
                    </div>
                  ) : null}
                </div>
                <BudgetBar b={b} />
                {b.thresholds.length ? (
                  <p className="mt-2 text-xs text-muted">
                    {t('budgets.alertsAt', { list: b.thresholds.map((x) => `${x}%`).join(', ') })}
                  </p>
                ) : null}
              </Card>
            ))}
          </div>
        )}
      </QueryState>
      <BudgetForm open={formOpen} onClose={() => setFormOpen(false)} editing={editing} />
    </div>
  );
}

export default function UsagePage() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<'report' | 'prices' | 'budgets'>('report');
  return (
    <div>
      <PageHeader title={t('usage.title')} subtitle={t('usage.subtitle')} />
      <Tabs<'report' | 'prices' | 'budgets'>
        value={tab}
        onChange={setTab}
        items={[
          { id: 'report', label: t('usage.tabReport') },
          { id: 'budgets', label: t('usage.tabBudgets') },
          { id: 'prices', label: t('usage.tabPrices') },
        ]}
      />
      {tab === 'report' ? <ReportTab /> : tab === 'prices' ? <PricesTab /> : <BudgetsTab />}
    </div>
  );
}
