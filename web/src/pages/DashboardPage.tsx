import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  Area,
  AreaChart,
  Bar,
  BarChart,
  CartesianGrid,
  Legend,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from 'recharts';
import { Activity, ArrowRight, CircleDollarSign, Gauge, Hash, Server, Timer, Zap } from 'lucide-react';
import { formatUsd } from '../lib/report';
import { formatAvailability, healthTone } from '../lib/health';
import { api, unwrap, type Schemas } from '../api/client';
import { Badge, Button, Card, Dot, EmptyState, ErrorState, PageHeader, Skeleton } from '../components/ui';
import { errorTone, formatMs, formatNumber, formatPercent, cx } from '../lib/format';
import { useChartTheme } from '../lib/charts';
import { currentLang } from '../i18n';

type Stats = Schemas['StatsView'];
type Window = '24h' | '1h';

function Kpi({
  icon,
  label,
  value,
  sub,
}: {
  icon: React.ReactNode;
  label: string;
  value: string;
  sub?: string;
}) {
  return (
    <Card className="p-5">
      <div className="flex items-center gap-2 text-[13px] font-medium text-muted">
        <span className="text-primary">{icon}</span>
        {label}
      </div>
      <div className="mt-3 text-[28px] font-semibold tracking-tight text-fg tabular-nums">{value}</div>
      {sub ? <div className="mt-1 text-xs text-muted">{sub}</div> : null}
    </Card>
  );
}

function TopList({
  title,
  rows,
  empty,
}: {
  title: string;
  rows: { name: string; value: number; sub?: string; tone?: 'success' | 'warning' | 'danger' }[];
  empty: string;
}) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <Card className="p-5">
      <h3 className="mb-4 text-[15px] font-semibold text-fg">{title}</h3>
      {rows.length === 0 ? (
        <p className="py-6 text-center text-sm text-muted">{empty}</p>
      ) : (
        <ul className="flex flex-col gap-3">
          {rows.slice(0, 6).map((r) => (
            <li key={r.name}>
              <div className="mb-1 flex items-center justify-between gap-3 text-sm">
                <span className="flex min-w-0 items-center gap-2 truncate text-fg">
                  {r.tone ? <Dot tone={r.tone} /> : null}
                  <span className="truncate">{r.name}</span>
                </span>
                <span className="shrink-0 tabular-nums text-muted">
                  {formatNumber(r.value)}
                  {r.sub ? ` · ${r.sub}` : ''}
                </span>
              </div>
              <div className="h-1.5 overflow-hidden rounded-full bg-fill">
                <div
                  className="h-full rounded-full bg-primary transition-all duration-500"
                  style={{ width: `${(r.value / max) * 100}%` }}
                />
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

export default function DashboardPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const c = useChartTheme();
  const [win, setWin] = useState<Window>('24h');
  const day = useQuery({
    queryKey: ['dashboard', 'stats'],
    queryFn: () => unwrap(api.GET('/api/dashboard/stats')),
    refetchInterval: 60_000,
  });
  const hour = useQuery({
    queryKey: ['dashboard', 'realtime'],
    queryFn: () => unwrap(api.GET('/api/dashboard/realtime')),
    refetchInterval: 10_000,
  });
  const providers = useQuery({ queryKey: ['providers'], queryFn: () => unwrap(api.GET('/api/providers')) });
  const health = useQuery({
    queryKey: ['health', 'providers'],
    queryFn: () => unwrap(api.GET('/api/health/providers')),
    refetchInterval: 30_000,
  });
  const q = win === '24h' ? day : hour;
  const s: Stats | undefined = q.data;

  const fmtTime = (iso: string) =>
    new Date(iso).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
  const series = (s?.series ?? []).map((b) => ({ ...b, label: fmtTime(b.at), ok: b.requests - b.errors }));
  const tooltip = {
    contentStyle: {
      background: c.tooltipBg,
      border: `1px solid ${c.tooltipBorder}`,
      borderRadius: 12,
      boxShadow: '0 8px 24px rgba(0,0,0,0.12)',
      color: c.text,
      fontSize: 12,
    },
    labelStyle: { color: c.axis },
  };

  const noProviders = providers.data?.length === 0;

  return (
    <div>
      <PageHeader
        title={t('dashboard.title')}
        subtitle={t('dashboard.subtitle')}
        actions={
          <div role="tablist" aria-label={t('dashboard.window')} className="flex rounded-full bg-fill p-1">
            {(['24h', '1h'] as Window[]).map((w) => (
              <button
                key={w}
                role="tab"
                type="button"
                aria-selected={win === w}
                onClick={() => setWin(w)}
                className={cx(
                  'rounded-full px-4 py-1.5 text-[13px] font-medium transition-all',
                  win === w ? 'bg-card text-fg shadow-sm' : 'text-muted hover:text-fg',
                )}
              >
                {t(`dashboard.window_${w}`)}
              </button>
            ))}
          </div>
        }
      />

      {noProviders ? (
        <div className="mb-6">
          <EmptyState
            icon={<Zap className="size-6" />}
            title={t('dashboard.welcomeTitle')}
            body={t('dashboard.welcomeBody')}
            action={
              <Link to="/providers">
                <Button icon={<ArrowRight className="size-4" />}>{t('dashboard.addProvider')}</Button>
              </Link>
            }
          />
        </div>
      ) : null}

      {q.isError ? (
        <ErrorState
          message={(q.error as Error).message}
          onRetry={() => void q.refetch()}
          retryLabel={t('common.retry')}
        />
      ) : (
        <>
          <div className="grid grid-cols-2 gap-4 lg:grid-cols-5">
            {!s ? (
              Array.from({ length: 5 }, (_, i) => <Skeleton key={i} className="h-[118px] rounded-[18px]" />)
            ) : (
              <>
                <Kpi
                  icon={<Activity className="size-4" />}
                  label={t('dashboard.requests')}
                  value={formatNumber(s.requests, lang)}
                  sub={t('dashboard.errorsCount', { count: Math.round(s.requests * (1 - s.successRate)) })}
                />
                <Kpi
                  icon={<Gauge className="size-4" />}
                  label={t('dashboard.successRate')}
                  value={formatPercent(s.successRate)}
                />
                <Kpi
                  icon={<Hash className="size-4" />}
                  label={t('dashboard.tokens')}
                  value={formatNumber(s.inputTokens + s.outputTokens, lang)}
                  sub={t('dashboard.tokensSplit', {
                    input: formatNumber(s.inputTokens, lang),
                    output: formatNumber(s.outputTokens, lang),
                  })}
                />
                <Kpi
                  icon={<CircleDollarSign className="size-4" />}
                  label={t('dashboard.cost')}
                  value={formatUsd(s.costUsd ?? 0)}
                  sub={t('dashboard.costHint')}
                />
                <Kpi
                  icon={<Timer className="size-4" />}
                  label={t('dashboard.latency')}
                  value={formatMs(s.latencyP50Ms)}
                  sub={t('dashboard.p95', { value: formatMs(s.latencyP95Ms) })}
                />
              </>
            )}
          </div>

          <div className="mt-4 grid gap-4 lg:grid-cols-2">
            <Card className="p-5">
              <h3 className="mb-4 text-[15px] font-semibold text-fg">{t('dashboard.tokenTrend')}</h3>
              <div className="h-56" data-testid="token-chart">
                {!s ? (
                  <Skeleton className="h-full" />
                ) : (
                  <ResponsiveContainer width="100%" height="100%">
                    <AreaChart data={series} margin={{ top: 4, right: 8, left: -16, bottom: 0 }}>
                      <defs>
                        <linearGradient id="gIn" x1="0" y1="0" x2="0" y2="1">
                          <stop offset="0%" stopColor={c.primary} stopOpacity={0.35} />
                          <stop offset="100%" stopColor={c.primary} stopOpacity={0} />
                        </linearGradient>
                        <linearGradient id="gOut" x1="0" y1="0" x2="0" y2="1">
                          <stop offset="0%" stopColor={c.secondary} stopOpacity={0.3} />
                          <stop offset="100%" stopColor={c.secondary} stopOpacity={0} />
                        </linearGradient>
                      </defs>
                      <CartesianGrid stroke={c.grid} vertical={false} />
                      <XAxis
                        dataKey="label"
                        tick={{ fill: c.axis, fontSize: 11 }}
                        tickLine={false}
                        axisLine={false}
                        minTickGap={24}
                      />
                      <YAxis
                        tick={{ fill: c.axis, fontSize: 11 }}
                        tickLine={false}
                        axisLine={false}
                        tickFormatter={(v: number) => formatNumber(v)}
                      />
                      <Tooltip {...tooltip} />
                      <Legend wrapperStyle={{ fontSize: 12, color: c.axis }} />
                      <Area
                        type="monotone"
                        dataKey="inputTokens"
                        name={t('dashboard.inputTokens')}
                        stroke={c.primary}
                        strokeWidth={2}
                        fill="url(#gIn)"
                      />
                      <Area
                        type="monotone"
                        dataKey="outputTokens"
                        name={t('dashboard.outputTokens')}
                        stroke={c.secondary}
                        strokeWidth={2}
                        fill="url(#gOut)"
                      />
                    </AreaChart>
                  </ResponsiveContainer>
                )}
              </div>
            </Card>
            <Card className="p-5">
              <h3 className="mb-4 text-[15px] font-semibold text-fg">{t('dashboard.requestTrend')}</h3>
              <div className="h-56">
                {!s ? (
                  <Skeleton className="h-full" />
                ) : (
                  <ResponsiveContainer width="100%" height="100%">
                    <BarChart data={series} margin={{ top: 4, right: 8, left: -16, bottom: 0 }}>
                      <CartesianGrid stroke={c.grid} vertical={false} />
                      <XAxis
                        dataKey="label"
                        tick={{ fill: c.axis, fontSize: 11 }}
                        tickLine={false}
                        axisLine={false}
                        minTickGap={24}
                      />
                      <YAxis
                        tick={{ fill: c.axis, fontSize: 11 }}
                        tickLine={false}
                        axisLine={false}
                        allowDecimals={false}
                      />
                      <Tooltip {...tooltip} cursor={{ fill: c.grid }} />
                      <Legend wrapperStyle={{ fontSize: 12, color: c.axis }} />
                      <Bar
                        dataKey="ok"
                        stackId="r"
                        name={t('dashboard.succeeded')}
                        fill={c.success}
                        radius={[0, 0, 0, 0]}
                      />
                      <Bar
                        dataKey="errors"
                        stackId="r"
                        name={t('dashboard.failed')}
                        fill={c.danger}
                        radius={[4, 4, 0, 0]}
                      />
                    </BarChart>
                  </ResponsiveContainer>
                )}
              </div>
            </Card>
          </div>

          <Card className="mt-4 p-5">
            <h3 className="mb-4 text-[15px] font-semibold text-fg">{t('dashboard.costTrend')}</h3>
            <div className="h-48" data-testid="cost-trend">
              {!s ? (
                <Skeleton className="h-full" />
              ) : (
                <ResponsiveContainer width="100%" height="100%">
                  <AreaChart data={series} margin={{ top: 4, right: 8, left: 0, bottom: 0 }}>
                    <defs>
                      <linearGradient id="gCost" x1="0" y1="0" x2="0" y2="1">
                        <stop offset="0%" stopColor={c.success} stopOpacity={0.35} />
                        <stop offset="100%" stopColor={c.success} stopOpacity={0} />
                      </linearGradient>
                    </defs>
                    <CartesianGrid stroke={c.grid} vertical={false} />
                    <XAxis
                      dataKey="label"
                      tick={{ fill: c.axis, fontSize: 11 }}
                      tickLine={false}
                      axisLine={false}
                      minTickGap={24}
                    />
                    <YAxis
                      tick={{ fill: c.axis, fontSize: 11 }}
                      tickLine={false}
                      axisLine={false}
                      width={64}
                      tickFormatter={(v: number) => formatUsd(v)}
                    />
                    <Tooltip {...tooltip} formatter={(v) => formatUsd(Number(v))} />
                    <Area
                      type="monotone"
                      dataKey="costUsd"
                      name={t('dashboard.cost')}
                      stroke={c.success}
                      strokeWidth={2}
                      fill="url(#gCost)"
                    />
                  </AreaChart>
                </ResponsiveContainer>
              )}
            </div>
          </Card>

          <div className="mt-4 grid gap-4 lg:grid-cols-3">
            <TopList
              title={t('dashboard.topModels')}
              empty={t('dashboard.noTraffic')}
              rows={(s?.byModel ?? []).map((r) => ({
                name: r.model,
                value: r.requests,
                tone: errorTone(r.requests, r.errors),
              }))}
            />
            <TopList
              title={t('dashboard.topProviders')}
              empty={t('dashboard.noTraffic')}
              rows={(s?.byProvider ?? []).map((r) => ({
                name: r.provider,
                value: r.requests,
                tone: errorTone(r.requests, r.errors),
              }))}
            />
            <TopList
              title={t('dashboard.topKeys')}
              empty={t('dashboard.noTraffic')}
              rows={(s?.byKey ?? []).map((r) => ({
                name: r.name ?? r.apiKeyId ?? '—',
                value: r.requests,
                sub: `${t('dashboard.tokensShort', { value: formatNumber(r.tokens, lang) })} · ${formatUsd(r.costUsd ?? 0)}`,
              }))}
            />
          </div>
        </>
      )}

      <Card className="mt-4 p-5">
        <div className="mb-4 flex items-center justify-between">
          <h3 className="text-[15px] font-semibold text-fg">{t('dashboard.providerHealth')}</h3>
          <span className="text-xs text-muted">{t('dashboard.providerHealthHint')}</span>
        </div>
        {health.isLoading ? (
          <Skeleton className="h-16" />
        ) : !health.data?.length ? (
          <p className="py-4 text-center text-sm text-muted">{t('dashboard.noProviders')}</p>
        ) : (
          <div className="grid gap-3 sm:grid-cols-2 lg:grid-cols-4" data-testid="health-strip">
            {health.data.map((p) => {
              const tone = !p.enabled ? 'neutral' : healthTone(p.status);
              const latencies = p.credentials.map((x) => x.latencyMs).filter((x): x is number => x != null);
              const av = p.availability['24h'];
              return (
                <Link
                  key={p.id}
                  to="/monitoring"
                  className="flex items-center gap-3 rounded-2xl bg-fill px-4 py-3 transition-colors hover:bg-fill-strong"
                >
                  <Server className="size-4 shrink-0 text-muted" />
                  <div className="min-w-0 flex-1">
                    <p className="truncate text-sm font-medium text-fg">{p.name}</p>
                    <p className="text-xs text-muted">
                      {latencies.length ? formatMs(Math.min(...latencies)) : '—'}
                      {av != null
                        ? ` · ${t('dashboard.availability', { value: formatAvailability(av) })}`
                        : ''}
                    </p>
                  </div>
                  <Badge tone={tone}>
                    {!p.enabled ? t('common.disabled') : t(`health.status_${p.status}`)}
                  </Badge>
                </Link>
              );
            })}
          </div>
        )}
      </Card>
    </div>
  );
}
