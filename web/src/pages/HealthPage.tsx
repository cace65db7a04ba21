import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Area, AreaChart, CartesianGrid, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';
import { HeartPulse, Network, RefreshCw, Server, Wallet } from 'lucide-react';
import { api, unwrap, type Schemas } from '../api/client';
import { Badge, Button, Card, EmptyState, PageHeader, Select, Skeleton } from '../components/ui';
import { QueryState } from '../components/QueryState';
import { toast } from '../components/overlays';
import { useChartTheme } from '../lib/charts';
import { formatMs, formatRelative } from '../lib/format';
import {
  availabilitySeries,
  formatAvailability,
  healthTone,
  type HealthCheck,
  type HealthStatus,
} from '../lib/health';
import { isAdmin, useAuth } from '../stores/auth';
import { currentLang } from '../i18n';

type ProviderHealth = Schemas['ProviderHealthView'];
type ProxyHealth = Schemas['ProxyHealthView'];

interface Balance {
  amount: number;
  currency: string;
  threshold: number;
  low: boolean;
  checkedAt: string;
}

export function StatusBadge({ status }: { status: HealthStatus }) {
  const { t } = useTranslation();
  return (
    <Badge tone={healthTone(status)}>
      <span className="sr-only">{t('health.status')}: </span>
      {t(`health.status_${status}`)}
    </Badge>
  );
}

function Availability({ a }: { a: Schemas['AvailabilityView'] }) {
  const { t } = useTranslation();
  return (
    <dl className="flex gap-4 text-xs">
      {(['1h', '24h', '7d'] as const).map((w) => (
        <div key={w}>
          <dt className="text-muted">{t(`health.window_${w}`)}</dt>
          <dd className="font-medium text-fg tabular-nums">{formatAvailability(a[w])}</dd>
        </div>
      ))}
    </dl>
  );
}

function ProviderCard({ p, canCheck }: { p: ProviderHealth; canCheck: boolean }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const qc = useQueryClient();
  const check = useMutation({
    mutationFn: () =>
      unwrap(api.POST('/api/health/providers/{id}/check', { params: { path: { id: p.id } } })),
    onSuccess: (r) => {
      qc.setQueryData<ProviderHealth[]>(['health', 'providers'], (old) =>
        old?.map((x) => (x.id === r.id ? r : x)),
      );
      void qc.invalidateQueries({ queryKey: ['health', 'history'] });
      (r.status === 'healthy' ? toast.success : toast.error)(
        t('health.checked', { name: p.name, status: t(`health.status_${r.status}`) }),
      );
    },
    onError: (e: Error) => toast.error(e.message),
  });
  return (
    <Card className="p-5" data-testid={`health-provider-${p.name}`}>
      <div className="flex flex-wrap items-start justify-between gap-3">
        <div className="flex min-w-0 items-center gap-3">
          <div className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-fill text-muted">
            <Server className="size-5" />
          </div>
          <div className="min-w-0">
            <p className="truncate font-semibold text-fg">{p.name}</p>
            <p className="text-xs text-muted">{p.type}</p>
          </div>
          {p.enabled ? <StatusBadge status={p.status} /> : <Badge>{t('common.disabled')}</Badge>}
        </div>
        {canCheck ? (
          <Button
            size="sm"
            variant="secondary"
            icon={<RefreshCw className="size-4" />}
            loading={check.isPending}
            onClick={() => check.mutate()}
          >
            {t('health.checkNow')}
          </Button>
        ) : null}
      </div>
      <div className="mt-4">
        <Availability a={p.availability} />
      </div>
      <ul className="mt-4 flex flex-col gap-2">
        {p.credentials.map((c) => {
          const balance = c.balance as unknown as Balance | null;
          return (
            <li key={c.credentialId ?? c.label} className="rounded-2xl bg-fill px-4 py-3">
              <div className="flex flex-wrap items-center justify-between gap-2">
                <div className="flex min-w-0 items-center gap-2">
                  <span className="truncate text-sm font-medium text-fg">{c.label}</span>
                  {c.hint ? <span className="font-mono text-xs text-muted">{c.hint}</span> : null}
                  {!c.enabled ? <Badge>{t('common.disabled')}</Badge> : <StatusBadge status={c.status} />}
                  {!c.inRotation && c.enabled ? (
                    <Badge tone="warning">{t('health.outOfRotation')}</Badge>
                  ) : null}
                </div>
                <div className="flex items-center gap-3 text-xs text-muted tabular-nums">
                  <span>{formatMs(c.latencyMs)}</span>
                  <span>
                    {c.lastCheckedAt ? formatRelative(c.lastCheckedAt, lang) : t('health.neverChecked')}
                  </span>
                </div>
              </div>
              {balance ? (
                <p className="mt-1 flex items-center gap-1.5 text-xs text-muted">
                  <Wallet className="size-3.5" />
                  {t('health.balance', { amount: balance.amount.toFixed(2), currency: balance.currency })}
                  {balance.low ? <Badge tone="danger">{t('health.balanceLow')}</Badge> : null}
                </p>
              ) : null}
              {c.lastError ? (
                <p className="mt-1 break-words text-xs text-danger" title={c.lastError}>
                  {c.lastError}
                </p>
              ) : null}
            </li>
          );
        })}
      </ul>
    </Card>
  );
}

function ProxyRow({ p, canCheck }: { p: ProxyHealth; canCheck: boolean }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const qc = useQueryClient();
  const check = useMutation({
    mutationFn: () => unwrap(api.POST('/api/health/proxies/{id}/check', { params: { path: { id: p.id } } })),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['health'] });
      void qc.invalidateQueries({ queryKey: ['proxies'] });
      (r.status === 'healthy' ? toast.success : toast.error)(
        t('health.checked', { name: p.name, status: t(`health.status_${r.status}`) }),
      );
    },
    onError: (e: Error) => toast.error(e.message),
  });
  return (
    <tr className="border-b border-line last:border-0">
      <td className="px-5 py-3">
        <div className="font-medium text-fg">{p.name}</div>
        <div className="font-mono text-xs text-muted">{p.url}</div>
      </td>
      <td className="px-3 py-3">
        {p.enabled ? <StatusBadge status={p.status} /> : <Badge>{t('common.disabled')}</Badge>}
      </td>
      <td className="px-3 py-3 tabular-nums">{formatMs(p.latencyMs)}</td>
      <td className="px-3 py-3">
        <Availability a={p.availability} />
      </td>
      <td className="px-3 py-3 text-xs text-muted">
        {p.lastCheckedAt ? formatRelative(p.lastCheckedAt, lang) : t('health.neverChecked')}
        {p.lastError ? (
          <div className="max-w-56 truncate text-danger" title={p.lastError}>
            {p.lastError}
          </div>
        ) : null}
      </td>
      <td className="px-5 py-3 text-right">
        {canCheck ? (
          <Button size="sm" variant="secondary" loading={check.isPending} onClick={() => check.mutate()}>
            {t('health.checkNow')}
          </Button>
        ) : null}
      </td>
    </tr>
  );
}

function History({ providers }: { providers: ProviderHealth[] }) {
  const { t } = useTranslation();
  const lang = currentLang();
  const c = useChartTheme();
  const [providerId, setProviderId] = useState('');
  const [from] = useState(() => new Date(Date.now() - 24 * 3_600_000).toISOString());
  const history = useQuery({
    queryKey: ['health', 'history', providerId, from],
    queryFn: async () => {
      const r = await unwrap(
        api.GET('/api/health/history', {
          params: { query: { from, pageSize: 500, ...(providerId ? { providerId } : {}) } },
        }),
      );
      return r.items as unknown as HealthCheck[];
    },
  });
  const series = availabilitySeries(history.data ?? []).map((p) => ({
    ...p,
    label: new Date(p.at).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' }),
  }));
  return (
    <Card className="p-5">
      <div className="mb-4 flex flex-wrap items-center justify-between gap-3">
        <h3 className="text-[15px] font-semibold text-fg">{t('health.history')}</h3>
        <Select
          aria-label={t('health.filterProvider')}
          className="w-full sm:w-64"
          value={providerId}
          onChange={(e) => setProviderId(e.target.value)}
        >
          <option value="">{t('health.allTargets')}</option>
          {providers.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </Select>
      </div>
      <div className="h-52" data-testid="availability-chart">
        {history.isLoading ? (
          <Skeleton className="h-full" />
        ) : !series.length ? (
          <p className="flex h-full items-center justify-center text-sm text-muted">
            {t('health.noHistory')}
          </p>
        ) : (
          <ResponsiveContainer width="100%" height="100%">
            <AreaChart data={series} margin={{ top: 4, right: 8, left: -16, bottom: 0 }}>
              <defs>
                <linearGradient id="gAvail" x1="0" y1="0" x2="0" y2="1">
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
                domain={[0, 100]}
                tick={{ fill: c.axis, fontSize: 11 }}
                tickLine={false}
                axisLine={false}
                unit="%"
              />
              <Tooltip
                contentStyle={{
                  background: c.tooltipBg,
                  border: `1px solid ${c.tooltipBorder}`,
                  borderRadius: 12,
                  color: c.text,
                }}
                formatter={(v) => [formatAvailability(Number(v)), t('health.availability')]}
              />
              <Area
                type="stepAfter"
                dataKey="availability"
                stroke={c.success}
                strokeWidth={2}
                fill="url(#gAvail)"
              />
            </AreaChart>
          </ResponsiveContainer>
        )}
      </div>
      {history.data?.length ? (
        <div className="mt-4 max-h-72 overflow-auto">
          <table className="w-full min-w-[560px] text-sm">
            <thead>
              <tr className="border-b border-line text-left text-xs text-muted">
                <th className="py-2 pr-3 font-medium">{t('health.when')}</th>
                <th className="px-3 py-2 font-medium">{t('health.target')}</th>
                <th className="px-3 py-2 font-medium">{t('health.status')}</th>
                <th className="px-3 py-2 font-medium">{t('health.latency')}</th>
                <th className="px-3 py-2 font-medium">{t('health.source')}</th>
              </tr>
            </thead>
            <tbody>
              {history.data.slice(0, 50).map((h) => (
                <tr key={h.id} className="border-b border-line last:border-0">
                  <td className="py-2 pr-3 text-muted">{formatRelative(h.checkedAt, lang)}</td>
                  <td className="px-3 py-2">
                    {h.targetType === 'proxy'
                      ? t('health.proxyTarget')
                      : (providers.find((p) => p.id === h.providerId)?.name ?? t('health.providerTarget'))}
                  </td>
                  <td className="px-3 py-2">
                    <StatusBadge status={h.status} />
                    {h.error ? (
                      <div className="max-w-64 truncate text-xs text-danger" title={h.error}>
                        {h.error}
                      </div>
                    ) : null}
                  </td>
                  <td className="px-3 py-2 tabular-nums">{formatMs(h.latencyMs)}</td>
                  <td className="px-3 py-2 text-muted">{t(`health.source_${h.source}`)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </Card>
  );
}

export default function HealthPage() {
  const { t } = useTranslation();
  const canCheck = isAdmin(useAuth((s) => s.user));
  const providers = useQuery({
    queryKey: ['health', 'providers'],
    queryFn: () => unwrap(api.GET('/api/health/providers')),
    refetchInterval: 30_000,
  });
  const proxies = useQuery({
    queryKey: ['health', 'proxies'],
    queryFn: () => unwrap(api.GET('/api/health/proxies')),
    refetchInterval: 30_000,
  });
  return (
    <div>
      <PageHeader title={t('health.title')} subtitle={t('health.subtitle')} />
      <h2 className="mb-3 text-[17px] font-semibold text-fg">{t('health.providers')}</h2>
      <QueryState
        query={providers}
        skeleton={
          <div className="grid gap-4 lg:grid-cols-2">
            <Skeleton className="h-48" />
            <Skeleton className="h-48" />
          </div>
        }
        empty={
          <EmptyState
            icon={<HeartPulse className="size-6" />}
            title={t('health.noProvidersTitle')}
            body={t('health.noProvidersBody')}
            action={
              <Link to="/providers">
                <Button>{t('dashboard.addProvider')}</Button>
              </Link>
            }
          />
        }
      >
        {(rows) => (
          <div className="grid gap-4 lg:grid-cols-2">
            {rows.map((p) => (
              <ProviderCard key={p.id} p={p} canCheck={canCheck} />
            ))}
          </div>
        )}
      </QueryState>

      <h2 className="mt-8 mb-3 text-[17px] font-semibold text-fg">{t('health.proxies')}</h2>
      <QueryState
        query={proxies}
        skeleton={<Skeleton className="h-24" />}
        empty={
          <Card className="flex flex-col items-center gap-2 px-6 py-8 text-center">
            <Network className="size-5 text-muted" />
            <p className="text-sm text-muted">{t('health.noProxies')}</p>
            <Link to="/proxies" className="text-sm font-medium text-primary">
              {t('health.goProxies')}
            </Link>
          </Card>
        }
      >
        {(rows) => (
          <Card className="overflow-x-auto">
            <table className="w-full min-w-[760px] text-sm">
              <thead>
                <tr className="border-b border-line text-left text-xs text-muted">
                  <th className="px-5 py-3 font-medium">{t('health.proxy')}</th>
                  <th className="px-3 py-3 font-medium">{t('health.status')}</th>
                  <th className="px-3 py-3 font-medium">{t('health.latency')}</th>
                  <th className="px-3 py-3 font-medium">{t('health.availability')}</th>
                  <th className="px-3 py-3 font-medium">{t('health.lastCheck')}</th>
                  <th className="px-5 py-3" />
                </tr>
              </thead>
              <tbody>
                {rows.map((p) => (
                  <ProxyRow key={p.id} p={p} canCheck={canCheck} />
                ))}
              </tbody>
            </table>
          </Card>
        )}
      </QueryState>

      <div className="mt-8">
        <History providers={providers.data ?? []} />
      </div>
    </div>
  );
}
