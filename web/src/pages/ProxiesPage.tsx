import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Network, Pencil, RefreshCw, Trash2 } from 'lucide-react';
import { api, unwrap, type Schemas } from '../api/client';
import {
  Badge,
  Button,
  Card,
  EmptyState,
  Field,
  IconButton,
  Input,
  NewButton,
  PageHeader,
  Switch,
} from '../components/ui';
import { QueryState } from '../components/QueryState';
import { confirm, DialogFooter, Modal, toast } from '../components/overlays';
import { useDialogForm } from '../components/useDialogForm';
import { StatusBadge } from './HealthPage';
import { formatMs, formatRelative } from '../lib/format';
import { splitList } from '../lib/keyLimits';
import type { HealthStatus } from '../lib/health';
import { isAdmin, useAuth } from '../stores/auth';
import { currentLang } from '../i18n';

type Proxy = Schemas['ProxyView'];

export interface ProxyDraft {
  name: string;
  url: string;
  username: string;
  password: string;
  clearPassword: boolean;
  weight: string;
  tags: string;
  checkUrl: string;
  enabled: boolean;
}

const EMPTY_PROXY: ProxyDraft = {
  name: '',
  url: '',
  username: '',
  password: '',
  clearPassword: false,
  weight: '1',
  tags: '',
  checkUrl: '',
  enabled: true,
};

const TAG = /^[A-Za-z0-9_.:-]{1,64}$/;

/** Validates the proxy form and builds its body (empty password on edit keeps the stored one). */
export function buildProxy(
  d: ProxyDraft,
  editing: boolean,
): { body: Record<string, unknown>; errors: Partial<Record<keyof ProxyDraft, string>> } {
  const errors: Partial<Record<keyof ProxyDraft, string>> = {};
  if (!d.name.trim()) errors.name = 'proxies.errName';
  let url: URL | null = null;
  try {
    url = new URL(d.url.trim());
  } catch {
    url = null;
  }
  if (!url || !['http:', 'https:', 'socks5:'].includes(url.protocol) || !url.hostname)
    errors.url = 'proxies.errUrl';
  const weight = Number(d.weight);
  if (!Number.isInteger(weight) || weight < 0 || weight > 1000) errors.weight = 'proxies.errWeight';
  const tags = splitList(d.tags);
  if (tags.some((x) => !TAG.test(x))) errors.tags = 'proxies.errTags';
  if (d.checkUrl.trim()) {
    try {
      if (!/^https?:$/.test(new URL(d.checkUrl.trim()).protocol)) errors.checkUrl = 'proxies.errCheckUrl';
    } catch {
      errors.checkUrl = 'proxies.errCheckUrl';
    }
  }
  const body: Record<string, unknown> = {
    name: d.name.trim(),
    url: d.url.trim(),
    weight,
    tags,
    enabled: d.enabled,
    checkUrl: d.checkUrl.trim() || null,
  };
  if (d.username.trim()) body.username = d.username.trim();
  else if (editing) body.username = null;
  if (d.password) body.password = d.password;
  else if (editing && d.clearPassword) body.password = null;
  return { body, errors };
}

function ProxyForm({ open, onClose, editing }: { open: boolean; onClose(): void; editing: Proxy | null }) {
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
    init: (): ProxyDraft =>
      editing
        ? {
            name: editing.name,
            url: editing.url,
            username: '',
            password: '',
            clearPassword: false,
            weight: String(editing.weight),
            tags: editing.tags.join(', '),
            checkUrl: editing.checkUrl ?? '',
            enabled: editing.enabled,
          }
        : EMPTY_PROXY,
    validate: (x) => buildProxy(x, !!editing).errors,
  });
  const save = useMutation({
    mutationFn: () => {
      const { body } = buildProxy(d, !!editing);
      if (!editing) return unwrap(api.POST('/api/proxies', { body: body as Schemas['CreateProxyDto'] }));
      // Editing: an empty username field keeps the stored (masked) one.
      if (!d.username.trim()) delete body.username;
      return unwrap(
        api.PATCH('/api/proxies/{id}', {
          params: { path: { id: editing.id } },
          body: body as Schemas['UpdateProxyDto'],
        }),
      );
    },
    onSuccess: (x) => {
      void qc.invalidateQueries({ queryKey: ['proxies'] });
      void qc.invalidateQueries({ queryKey: ['health'] });
      toast.success(t('proxies.saved', { name: x.name }));
      onClose();
    },
    onError: (e: Error) => setError(e.message),
  });
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={editing ? t('proxies.edit') : t('proxies.create')}
      footer={
        <DialogFooter
          onCancel={onClose}
          loading={save.isPending}
          onSubmit={() => submit(() => save.mutate())}
        />
      }
    >
      <div className="flex flex-col gap-4">
        <Field label={t('proxies.name')} htmlFor="x-name" error={err('name')}>
          <Input
            id="x-name"
            value={d.name}
            placeholder="eu-egress-1"
            onChange={(e) => set({ name: e.target.value })}
          />
        </Field>
        <Field label={t('proxies.url')} htmlFor="x-url" hint={t('proxies.urlHint')} error={err('url')}>
          <Input
            id="x-url"
            value={d.url}
            placeholder="http://proxy.internal:3128"
            onChange={(e) => set({ url: e.target.value })}
          />
        </Field>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            label={t('proxies.username')}
            htmlFor="x-user"
            hint={editing?.username ? t('proxies.keep', { value: editing.username }) : undefined}
          >
            <Input
              id="x-user"
              autoComplete="off"
              value={d.username}
              onChange={(e) => set({ username: e.target.value })}
            />
          </Field>
          <Field
            label={t('auth.password')}
            htmlFor="x-pw"
            hint={editing?.hasPassword ? t('proxies.passwordStored') : undefined}
          >
            <Input
              id="x-pw"
              type="password"
              autoComplete="new-password"
              value={d.password}
              onChange={(e) => set({ password: e.target.value })}
            />
          </Field>
        </div>
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            label={t('proxies.weight')}
            htmlFor="x-weight"
            hint={t('proxies.weightHint')}
            error={err('weight')}
          >
            <Input
              id="x-weight"
              inputMode="numeric"
              value={d.weight}
              onChange={(e) => set({ weight: e.target.value })}
            />
          </Field>
          <Field label={t('proxies.tags')} htmlFor="x-tags" hint={t('proxies.tagsHint')} error={err('tags')}>
            <Input
              id="x-tags"
              value={d.tags}
              placeholder="eu, fast"
              onChange={(e) => set({ tags: e.target.value })}
            />
          </Field>
        </div>
        <Field
          label={t('proxies.checkUrl')}
          htmlFor="x-check"
          hint={t('proxies.checkUrlHint')}
          error={err('checkUrl')}
        >
          <Input
            id="x-check"
            value={d.checkUrl}
            placeholder="https://api.openai.com/v1/models"
            onChange={(e) => set({ checkUrl: e.target.value })}
          />
        </Field>
        <div className="flex items-center justify-between">
          <span className="text-sm text-fg">{t('common.enabled')}</span>
          <Switch checked={d.enabled} onChange={(v) => set({ enabled: v })} label={t('common.enabled')} />
        </div>
        {error ? (
          <p className="rounded-xl bg-danger/10 px-3 py-2 text-sm text-danger" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </Modal>
  );
}

export default function ProxiesPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const qc = useQueryClient();
  const admin = isAdmin(useAuth((s) => s.user));
  const list = useQuery({ queryKey: ['proxies'], queryFn: () => unwrap(api.GET('/api/proxies')) });
  const providers = useQuery({ queryKey: ['providers'], queryFn: () => unwrap(api.GET('/api/providers')) });
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Proxy | null>(null);
  const check = useMutation({
    mutationFn: (p: Proxy) =>
      unwrap(api.POST('/api/health/proxies/{id}/check', { params: { path: { id: p.id } } })),
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['proxies'] });
      void qc.invalidateQueries({ queryKey: ['health'] });
      (r.status === 'healthy' ? toast.success : toast.error)(
        t('health.checked', { name: r.name, status: t(`health.status_${r.status}`) }),
      );
    },
    onError: (e: Error) => toast.error(e.message),
  });
  const remove = async (p: Proxy) => {
    if (
      !(await confirm({
        title: t('proxies.deleteTitle'),
        body: t('proxies.deleteBody', { name: p.name }),
        destructive: true,
        confirmLabel: t('common.delete'),
      }))
    )
      return;
    try {
      await unwrap(api.DELETE('/api/proxies/{id}', { params: { path: { id: p.id } } }));
      toast.success(t('proxies.deleted', { name: p.name }));
    } catch (e) {
      toast.error((e as Error).message);
    }
    void qc.invalidateQueries({ queryKey: ['proxies'] });
  };
  const openNew = () => {
    setEditing(null);
    setFormOpen(true);
  };
  const usedBy = (p: Proxy) =>
    (providers.data ?? []).filter(
      (x) =>
        (x.proxyMode === 'single' && x.proxyId === p.id) ||
        (x.proxyMode === 'pool' && (!x.proxyTag || p.tags.includes(x.proxyTag))),
    );
  return (
    <div>
      <PageHeader
        title={t('proxies.title')}
        subtitle={t('proxies.subtitle')}
        actions={admin ? <NewButton onClick={openNew}>{t('proxies.create')}</NewButton> : null}
      />
      <QueryState
        query={list}
        empty={
          <EmptyState
            icon={<Network className="size-6" />}
            title={t('proxies.emptyTitle')}
            body={t('proxies.emptyBody')}
            action={admin ? <NewButton onClick={openNew}>{t('proxies.create')}</NewButton> : undefined}
          />
        }
      >
        {(proxies) => (
          <Card className="overflow-x-auto">
            <table className="w-full min-w-[820px] text-sm">
              <thead>
                <tr className="border-b border-line text-left text-xs text-muted">
                  <th className="px-5 py-3 font-medium">{t('proxies.name')}</th>
                  <th className="px-3 py-3 font-medium">{t('health.status')}</th>
                  <th className="px-3 py-3 font-medium">{t('proxies.weight')}</th>
                  <th className="px-3 py-3 font-medium">{t('proxies.tags')}</th>
                  <th className="px-3 py-3 font-medium">{t('proxies.usedBy')}</th>
                  <th className="px-5 py-3" />
                </tr>
              </thead>
              <tbody>
                {proxies.map((p) => (
                  <tr
                    key={p.id}
                    className="border-b border-line last:border-0"
                    data-testid={`proxy-${p.name}`}
                  >
                    <td className="px-5 py-3">
                      <div className="font-medium text-fg">{p.name}</div>
                      <div className="font-mono text-xs text-muted">
                        {p.username ? `${p.username}@` : ''}
                        {p.url}
                      </div>
                    </td>
                    <td className="px-3 py-3">
                      {p.enabled ? (
                        <StatusBadge status={p.status as HealthStatus} />
                      ) : (
                        <Badge>{t('common.disabled')}</Badge>
                      )}
                      <div className="mt-0.5 text-xs text-muted">
                        {formatMs(p.latencyMs)} ·{' '}
                        {p.lastCheckedAt ? formatRelative(p.lastCheckedAt, lang) : t('health.neverChecked')}
                      </div>
                      {p.lastError ? (
                        <div className="max-w-56 truncate text-xs text-danger" title={p.lastError}>
                          {p.lastError}
                        </div>
                      ) : null}
                    </td>
                    <td className="px-3 py-3 tabular-nums">{p.weight}</td>
                    <td className="px-3 py-3">
                      <div className="flex flex-wrap gap-1">
                        {p.tags.map((x) => (
                          <Badge key={x}>{x}</Badge>
                        ))}
                      </div>
                    </td>
                    <td className="px-3 py-3 text-muted">
                      {usedBy(p)
                        .map((x) => x.name)
                        .join(', ') || '—'}
                    </td>
                    <td className="px-5 py-3">
                      {admin ? (
                        <div className="flex justify-end gap-1">
                          <Button
                            size="sm"
                            variant="secondary"
                            icon={<RefreshCw className="size-3.5" />}
                            loading={check.isPending && check.variables?.id === p.id}
                            onClick={() => check.mutate(p)}
                          >
                            {t('proxies.check')}
                          </Button>
                          <IconButton
                            label={t('common.edit')}
                            onClick={() => {
                              setEditing(p);
                              setFormOpen(true);
                            }}
                          >
                            <Pencil className="size-4" />
                          </IconButton>
                          <IconButton label={t('common.delete')} onClick={() => void remove(p)}>
                            <Trash2 className="size-4" />
                          </IconButton>
                        </div>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        )}
      </QueryState>
      <ProxyForm open={formOpen} onClose={() => setFormOpen(false)} editing={editing} />
    </div>
  );
}
