import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import {
  CheckCircle2,
  Download,
  FlaskConical,
  KeyRound,
  Pencil,
  Plus,
  Server,
  Trash2,
  XCircle,
} from 'lucide-react';
import { api, unwrap, type Schemas } from '../api/client';
import {
  Badge,
  Button,
  Card,
  Checkbox,
  EmptyState,
  Field,
  IconButton,
  Input,
  NewButton,
  PageHeader,
  Select,
  Switch,
  TableSkeleton,
  Textarea,
} from '../components/ui';
import { QueryState } from '../components/QueryState';
import { confirm, DialogFooter, Modal, toast } from '../components/overlays';
import { parseJsonObject, prettyJson } from '../lib/json';
import { errorTone, formatMs, formatPercent } from '../lib/format';
import { isAdmin, useAuth } from '../stores/auth';

type Provider = Schemas['ProviderView'];
type ProviderType = Provider['type'];
const TYPES: ProviderType[] = ['openai', 'openai-compatible', 'anthropic', 'gemini', 'mock'];
const DEFAULT_URLS: Record<ProviderType, string> = {
  openai: 'https://api.openai.com/v1',
  'openai-compatible': 'https://example.com/v1',
  anthropic: 'https://api.anthropic.com',
  gemini: 'https://generativelanguage.googleapis.com',
  mock: '',
};

interface FormState {
  name: string;
  type: ProviderType;
  baseUrl: string;
  key: string;
  timeoutMs: string;
  headers: string;
  config: string;
  notes: string;
  consoleUrl: string;
  enabled: boolean;
  proxyMode: 'none' | 'single' | 'pool';
  proxyId: string;
  proxyTag: string;
  proxyStrategy: 'round-robin' | 'weighted' | 'least-latency';
}

const emptyForm: FormState = {
  name: '',
  type: 'openai',
  baseUrl: '',
  key: '',
  timeoutMs: '60000',
  headers: '',
  config: '',
  notes: '',
  consoleUrl: '',
  enabled: true,
  proxyMode: 'none',
  proxyId: '',
  proxyTag: '',
  proxyStrategy: 'round-robin',
};

function toBody(f: FormState, withKey: boolean): Schemas['CreateProviderDto'] {
  return {
    name: f.name.trim(),
    type: f.type,
    ...(f.baseUrl.trim() ? { baseUrl: f.baseUrl.trim() } : {}),
    ...(withKey && f.key.trim() ? { credentials: [{ key: f.key.trim() }] } : {}),
    timeoutMs: Number(f.timeoutMs) || 60000,
    headers: (parseJsonObject(f.headers, 'Headers') as Record<string, string> | undefined) ?? {},
    config: parseJsonObject(f.config, 'Config') ?? {},
    notes: f.notes.trim() || undefined,
    consoleUrl: f.consoleUrl.trim() || undefined,
    enabled: f.enabled,
    proxyMode: f.proxyMode,
    // the OpenAPI document types these nullable strings as objects
    proxyId: (f.proxyMode === 'single' && f.proxyId ? f.proxyId : null) as unknown as Record<string, never>,
    proxyTag: (f.proxyMode === 'pool' && f.proxyTag.trim() ? f.proxyTag.trim() : null) as unknown as Record<
      string,
      never
    >,
    proxyStrategy: f.proxyStrategy,
  };
}

function ProviderForm({
  open,
  onClose,
  editing,
}: {
  open: boolean;
  onClose(): void;
  editing: Provider | null;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [f, setF] = useState<FormState>(emptyForm);
  const [problems, setProblems] = useState<string[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [seed, setSeed] = useState<string | null>(null);
  const seedKey = open ? (editing?.id ?? 'new') : null;
  if (seedKey !== seed) {
    setSeed(seedKey);
    setProblems(null);
    setError(null);
    setF(
      editing
        ? {
            name: editing.name,
            type: editing.type,
            baseUrl: editing.baseUrl,
            key: '',
            timeoutMs: String(editing.timeoutMs),
            headers: prettyJson(editing.headers),
            config: prettyJson(editing.config),
            notes: editing.notes ?? '',
            consoleUrl: editing.consoleUrl ?? '',
            enabled: editing.enabled,
            proxyMode: editing.proxyMode ?? 'none',
            proxyId: editing.proxyId ?? '',
            proxyTag: editing.proxyTag ?? '',
            proxyStrategy: editing.proxyStrategy ?? 'round-robin',
          }
        : emptyForm,
    );
  }
  const set = <K extends keyof FormState>(k: K, v: FormState[K]) => setF((s) => ({ ...s, [k]: v }));
  const proxyList = useQuery({
    queryKey: ['proxies'],
    queryFn: () => unwrap(api.GET('/api/proxies')),
    enabled: open,
  });

  const save = useMutation({
    mutationFn: async () => {
      const body = toBody(f, !editing);
      if (editing) {
        const { credentials: _c, ...patch } = body;
        return unwrap(
          api.PATCH('/api/providers/{id}', { params: { path: { id: editing.id } }, body: patch }),
        );
      }
      return unwrap(api.POST('/api/providers', { body }));
    },
    onSuccess: (p) => {
      toast.success(
        editing ? t('providers.saved', { name: p.name }) : t('providers.created', { name: p.name }),
      );
      void qc.invalidateQueries({ queryKey: ['providers'] });
      onClose();
    },
    onError: (e: Error) => setError(e.message),
  });

  const validate = useMutation({
    mutationFn: () => unwrap(api.POST('/api/providers/validate', { body: toBody(f, true) })),
    onSuccess: (r) => setProblems(r.valid ? [] : r.problems),
    onError: (e: Error) => setError(e.message),
  });

  return (
    <Modal
      open={open}
      onClose={onClose}
      title={editing ? t('providers.edit') : t('providers.add')}
      wide
      footer={
        <>
          {!editing ? (
            <Button variant="secondary" loading={validate.isPending} onClick={() => validate.mutate()}>
              {t('providers.validate')}
            </Button>
          ) : null}
          <DialogFooter
            onCancel={onClose}
            loading={save.isPending}
            onSubmit={() => {
              setError(null);
              save.mutate();
            }}
            disabled={!f.name.trim()}
            submitLabel={editing ? t('common.save') : t('common.create')}
          />
        </>
      }
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t('providers.name')} htmlFor="p-name">
          <Input
            id="p-name"
            value={f.name}
            onChange={(e) => set('name', e.target.value)}
            placeholder="openai-main"
          />
        </Field>
        <Field label={t('providers.type')} htmlFor="p-type" hint={t(`providers.typeHint_${f.type}`)}>
          <Select id="p-type" value={f.type} onChange={(e) => set('type', e.target.value as ProviderType)}>
            {TYPES.map((x) => (
              <option key={x} value={x}>
                {t(`providers.type_${x}`)}
              </option>
            ))}
          </Select>
        </Field>
        {f.type !== 'mock' ? (
          <Field label={t('providers.baseUrl')} htmlFor="p-url" hint={t('providers.baseUrlHint')}>
            <Input
              id="p-url"
              value={f.baseUrl}
              onChange={(e) => set('baseUrl', e.target.value)}
              placeholder={DEFAULT_URLS[f.type]}
            />
          </Field>
        ) : null}
        {!editing && f.type !== 'mock' ? (
          <Field label={t('providers.apiKey')} htmlFor="p-key" hint={t('providers.apiKeyHint')}>
            <Input
              id="p-key"
              type="password"
              autoComplete="off"
              value={f.key}
              onChange={(e) => set('key', e.target.value)}
              placeholder="sk-…"
            />
          </Field>
        ) : null}
        <Field label={t('providers.timeout')} htmlFor="p-timeout">
          <Input
            id="p-timeout"
            type="number"
            min={1000}
            max={600000}
            value={f.timeoutMs}
            onChange={(e) => set('timeoutMs', e.target.value)}
          />
        </Field>
        <fieldset className="flex flex-col gap-3 rounded-2xl border border-line p-4">
          <legend className="px-1 text-[13px] font-medium text-fg">{t('proxies.providerProxy')}</legend>
          <Field label={t('proxies.mode')} htmlFor="p-proxy-mode" hint={t(`proxies.modeHint_${f.proxyMode}`)}>
            <Select
              id="p-proxy-mode"
              value={f.proxyMode}
              onChange={(e) => set('proxyMode', e.target.value as FormState['proxyMode'])}
            >
              {(['none', 'single', 'pool'] as const).map((m) => (
                <option key={m} value={m}>
                  {t(`proxies.mode_${m}`)}
                </option>
              ))}
            </Select>
          </Field>
          {f.proxyMode === 'single' ? (
            <Field label={t('proxies.proxy')} htmlFor="p-proxy-id">
              <Select id="p-proxy-id" value={f.proxyId} onChange={(e) => set('proxyId', e.target.value)}>
                <option value="">{t('common.select')}</option>
                {proxyList.data?.map((x) => (
                  <option key={x.id} value={x.id}>
                    {x.name}
                  </option>
                ))}
              </Select>
            </Field>
          ) : null}
          {f.proxyMode === 'pool' ? (
            <div className="grid gap-3 sm:grid-cols-2">
              <Field label={t('proxies.tag')} htmlFor="p-proxy-tag" hint={t('proxies.tagHint')}>
                <Input
                  id="p-proxy-tag"
                  value={f.proxyTag}
                  onChange={(e) => set('proxyTag', e.target.value)}
                />
              </Field>
              <Field label={t('proxies.strategy')} htmlFor="p-proxy-strategy">
                <Select
                  id="p-proxy-strategy"
                  value={f.proxyStrategy}
                  onChange={(e) => set('proxyStrategy', e.target.value as FormState['proxyStrategy'])}
                >
                  {(['round-robin', 'weighted', 'least-latency'] as const).map((x) => (
                    <option key={x} value={x}>
                      {t(`proxies.strategy_${x.replace('-', '_')}`)}
                    </option>
                  ))}
                </Select>
              </Field>
            </div>
          ) : null}
        </fieldset>
        <Field label={t('providers.consoleUrl')} htmlFor="p-console">
          <Input
            id="p-console"
            value={f.consoleUrl}
            onChange={(e) => set('consoleUrl', e.target.value)}
            placeholder="https://platform.openai.com/usage"
          />
        </Field>
        <Field label={t('providers.headers')} htmlFor="p-headers" hint={t('providers.headersHint')}>
          <Textarea
            id="p-headers"
            className="font-mono text-xs"
            value={f.headers}
            onChange={(e) => set('headers', e.target.value)}
            placeholder='{ "OpenAI-Organization": "org-123" }'
          />
        </Field>
        <Field
          label={t('providers.config')}
          htmlFor="p-config"
          hint={f.type === 'mock' ? t('providers.configHintMock') : t('providers.configHint')}
        >
          <Textarea
            id="p-config"
            className="font-mono text-xs"
            value={f.config}
            onChange={(e) => set('config', e.target.value)}
            placeholder={f.type === 'mock' ? '{ "latencyMs": 50, "failureRate": 0.1 }' : '{}'}
          />
        </Field>
        <div className="sm:col-span-2">
          <Field label={t('providers.notes')} htmlFor="p-notes">
            <Input id="p-notes" value={f.notes} onChange={(e) => set('notes', e.target.value)} />
          </Field>
        </div>
        <div className="flex items-center gap-3 sm:col-span-2">
          <Switch checked={f.enabled} onChange={(v) => set('enabled', v)} label={t('common.enabled')} />
          <span className="text-sm text-fg">{t('common.enabled')}</span>
        </div>
      </div>
      {problems ? (
        problems.length === 0 ? (
          <p
            className="mt-4 flex items-center gap-2 rounded-xl bg-success/10 px-3 py-2 text-sm text-success"
            role="status"
          >
            <CheckCircle2 className="size-4" /> {t('providers.valid')}
          </p>
        ) : (
          <ul className="mt-4 list-disc rounded-xl bg-warning/10 py-2 pl-8 pr-3 text-sm text-fg" role="alert">
            {problems.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )
      ) : null}
      {error ? (
        <p className="mt-4 rounded-xl bg-danger/10 px-3 py-2 text-sm text-danger" role="alert">
          {error}
        </p>
      ) : null}
    </Modal>
  );
}

function CredentialsModal({ provider, onClose }: { provider: Provider | null; onClose(): void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [key, setKey] = useState('');
  const [label, setLabel] = useState('');
  const refresh = () => qc.invalidateQueries({ queryKey: ['providers'] });
  const add = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/providers/{id}/credentials', {
          params: { path: { id: provider!.id } },
          body: { key: key.trim(), label: label.trim() || undefined },
        }),
      ),
    onSuccess: () => {
      setKey('');
      setLabel('');
      toast.success(t('providers.credentialAdded'));
      void refresh();
    },
    onError: (e: Error) => toast.error(e.message),
  });
  const patch = async (credentialId: string, body: Schemas['UpdateCredentialDto']) => {
    try {
      await unwrap(
        api.PATCH('/api/providers/{id}/credentials/{credentialId}', {
          params: { path: { id: provider!.id, credentialId } },
          body,
        }),
      );
      void refresh();
    } catch (e) {
      toast.error((e as Error).message);
    }
  };
  const remove = async (c: Schemas['CredentialView']) => {
    if (
      !(await confirm({
        title: t('providers.removeCredential'),
        body: t('providers.removeCredentialBody', { hint: c.hint }),
        destructive: true,
        confirmLabel: t('common.delete'),
      }))
    )
      return;
    try {
      await unwrap(
        api.DELETE('/api/providers/{id}/credentials/{credentialId}', {
          params: { path: { id: provider!.id, credentialId: c.id } },
        }),
      );
      toast.success(t('providers.credentialRemoved'));
      void refresh();
    } catch (e) {
      toast.error((e as Error).message);
    }
  };
  const current = qc.getQueryData<Provider[]>(['providers'])?.find((p) => p.id === provider?.id) ?? provider;
  return (
    <Modal
      open={!!provider}
      onClose={onClose}
      title={t('providers.credentialsOf', { name: provider?.name ?? '' })}
      wide
    >
      <div className="flex flex-col gap-2">
        {current?.credentials.length ? (
          current.credentials.map((c) => (
            <div key={c.id} className="flex flex-wrap items-center gap-3 rounded-2xl bg-fill px-4 py-3">
              <KeyRound className="size-4 text-muted" />
              <div className="min-w-0 flex-1">
                <p className="text-sm font-medium text-fg">{c.label || t('providers.unlabelled')}</p>
                <p className="font-mono text-xs text-muted">{c.hint}</p>
              </div>
              <label className="flex items-center gap-2 text-xs text-muted">
                {t('providers.weight')}
                <span className="w-20">
                  <Input
                    type="number"
                    min={0}
                    max={1000}
                    defaultValue={c.weight}
                    className="h-8"
                    onBlur={(e) =>
                      Number(e.target.value) !== c.weight &&
                      void patch(c.id, { weight: Number(e.target.value) })
                    }
                  />
                </span>
              </label>
              <Switch
                checked={c.enabled}
                onChange={(v) => void patch(c.id, { enabled: v })}
                label={t('common.enabled')}
              />
              <IconButton label={t('common.delete')} onClick={() => void remove(c)}>
                <Trash2 className="size-4" />
              </IconButton>
            </div>
          ))
        ) : (
          <p className="py-4 text-center text-sm text-muted">{t('providers.noCredentials')}</p>
        )}
      </div>
      <form
        className="mt-5 grid gap-3 border-t border-line pt-5 sm:grid-cols-[1fr_2fr_auto] sm:items-end"
        onSubmit={(e) => {
          e.preventDefault();
          if (key.trim()) add.mutate();
        }}
      >
        <Field label={t('providers.label')} htmlFor="c-label">
          <Input
            id="c-label"
            value={label}
            onChange={(e) => setLabel(e.target.value)}
            placeholder="primary"
          />
        </Field>
        <Field label={t('providers.apiKey')} htmlFor="c-key">
          <Input
            id="c-key"
            type="password"
            autoComplete="off"
            value={key}
            onChange={(e) => setKey(e.target.value)}
            placeholder="sk-…"
          />
        </Field>
        <Button
          type="submit"
          loading={add.isPending}
          disabled={!key.trim()}
          icon={<Plus className="size-4" />}
        >
          {t('common.add')}
        </Button>
      </form>
    </Modal>
  );
}

function TestModal({ provider, onClose }: { provider: Provider | null; onClose(): void }) {
  const { t } = useTranslation();
  const [model, setModel] = useState('');
  const [seed, setSeed] = useState<string | null>(null);
  const upstream = useQuery({
    queryKey: ['upstream-models', provider?.id],
    queryFn: () =>
      unwrap(api.GET('/api/providers/{id}/upstream-models', { params: { path: { id: provider!.id } } })),
    enabled: !!provider,
    retry: false,
  });
  const probe = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/providers/{id}/test', {
          params: { path: { id: provider!.id } },
          body: { model: model.trim() },
        }),
      ),
  });
  if ((provider?.id ?? null) !== seed) {
    setSeed(provider?.id ?? null);
    setModel('');
    probe.reset();
  }
  if (!model && upstream.data?.models.length) setModel(upstream.data.models[0]);
  return (
    <Modal
      open={!!provider}
      onClose={onClose}
      title={t('providers.testTitle', { name: provider?.name ?? '' })}
      footer={
        <DialogFooter
          onCancel={onClose}
          cancelLabel={t('common.close')}
          loading={probe.isPending}
          disabled={!model.trim()}
          onSubmit={() => probe.mutate()}
          submitLabel={t('providers.runTest')}
        />
      }
    >
      <p className="mb-4 text-sm text-muted">{t('providers.testBody')}</p>
      <Field label={t('providers.testModel')} htmlFor="t-model">
        <Input
          id="t-model"
          list="t-models"
          value={model}
          onChange={(e) => setModel(e.target.value)}
          placeholder="gpt-4o-mini"
        />
        <datalist id="t-models">
          {upstream.data?.models.map((m) => (
            <option key={m} value={m} />
          ))}
        </datalist>
      </Field>
      {probe.error ? <p className="mt-4 text-sm text-danger">{probe.error.message}</p> : null}
      {probe.data ? (
        <ul className="mt-4 flex flex-col gap-2" data-testid="probe-results">
          {probe.data.length === 0 ? (
            <li className="text-sm text-muted">{t('providers.noCredentials')}</li>
          ) : null}
          {probe.data.map((r) => (
            <li
              key={r.credentialId ?? 'none'}
              className="flex items-start gap-3 rounded-2xl bg-fill px-4 py-3"
            >
              {r.ok ? (
                <CheckCircle2 className="mt-0.5 size-4 text-success" />
              ) : (
                <XCircle className="mt-0.5 size-4 text-danger" />
              )}
              <div className="min-w-0 flex-1 text-sm">
                <p className="font-medium text-fg">
                  {r.hint ?? t('providers.noKey')} · {r.status ?? '—'} · {formatMs(r.latencyMs)}
                </p>
                {r.error ? <p className="mt-0.5 break-words text-xs text-danger">{r.error}</p> : null}
              </div>
            </li>
          ))}
        </ul>
      ) : null}
    </Modal>
  );
}

function ImportModal({ provider, onClose }: { provider: Provider | null; onClose(): void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [picked, setPicked] = useState<Set<string>>(new Set());
  const upstream = useQuery({
    queryKey: ['upstream-models', provider?.id],
    queryFn: () =>
      unwrap(api.GET('/api/providers/{id}/upstream-models', { params: { path: { id: provider!.id } } })),
    enabled: !!provider,
    retry: false,
  });
  const existing = useQuery({
    queryKey: ['models'],
    queryFn: () => unwrap(api.GET('/api/models')),
    enabled: !!provider,
  });
  const names = new Set(existing.data?.map((m) => m.name));
  const run = useMutation({
    mutationFn: async () => {
      let created = 0;
      const failed: string[] = [];
      for (const name of picked) {
        const res = await api.POST('/api/models', {
          body: {
            name,
            type: /embed/i.test(name) ? 'embedding' : 'chat',
            routes: [{ providerId: provider!.id, upstreamModel: name }],
          },
        });
        if (res.response.ok) created++;
        else failed.push(name);
      }
      return { created, failed };
    },
    onSuccess: ({ created, failed }) => {
      if (created) toast.success(t('providers.imported', { count: created }));
      if (failed.length) toast.error(t('providers.importFailed', { names: failed.join(', ') }));
      void qc.invalidateQueries({ queryKey: ['models'] });
      setPicked(new Set());
      onClose();
    },
  });
  const toggle = (m: string, on: boolean) =>
    setPicked((s) => {
      const n = new Set(s);
      if (on) n.add(m);
      else n.delete(m);
      return n;
    });
  return (
    <Modal
      open={!!provider}
      onClose={onClose}
      title={t('providers.importTitle', { name: provider?.name ?? '' })}
      wide
      footer={
        <DialogFooter
          onCancel={onClose}
          loading={run.isPending}
          disabled={!picked.size}
          onSubmit={() => run.mutate()}
          submitLabel={t('providers.importN', { count: picked.size })}
        />
      }
    >
      <p className="mb-4 text-sm text-muted">{t('providers.importBody')}</p>
      <QueryState
        query={upstream}
        skeleton={<TableSkeleton rows={4} />}
        renderError={(e) => <p className="text-sm text-danger">{e.message}</p>}
        isEmpty={(d) => !d.models.length}
        empty={<p className="text-sm text-muted">{t('providers.noUpstreamModels')}</p>}
      >
        {(found) => (
          <div className="grid max-h-80 gap-1 overflow-y-auto sm:grid-cols-2">
            {found.models.map((m) => (
              <div key={m} className="flex items-center justify-between rounded-xl px-2 py-1.5 hover:bg-fill">
                {names.has(m) ? (
                  <span className="text-sm text-muted">
                    {m} <Badge>{t('providers.exists')}</Badge>
                  </span>
                ) : (
                  <Checkbox label={m} checked={picked.has(m)} onChange={(v) => toggle(m, v)} />
                )}
              </div>
            ))}
          </div>
        )}
      </QueryState>
    </Modal>
  );
}

export default function ProvidersPage() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const admin = isAdmin(useAuth((s) => s.user));
  const list = useQuery({ queryKey: ['providers'], queryFn: () => unwrap(api.GET('/api/providers')) });
  // Health badges from the last 24 h of traffic (the same figures as the dashboard).
  const stats = useQuery({
    queryKey: ['dashboard', 'stats'],
    queryFn: () => unwrap(api.GET('/api/dashboard/stats')),
    refetchInterval: 30_000,
  });
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Provider | null>(null);
  const [creds, setCreds] = useState<Provider | null>(null);
  const [testing, setTesting] = useState<Provider | null>(null);
  const [importing, setImporting] = useState<Provider | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const refresh = () => qc.invalidateQueries({ queryKey: ['providers'] });

  const setEnabled = async (ids: string[], enabled: boolean) => {
    try {
      await Promise.all(
        ids.map((id) =>
          unwrap(api.PATCH('/api/providers/{id}', { params: { path: { id } }, body: { enabled } })),
        ),
      );
      toast.success(
        enabled
          ? t('providers.enabledN', { count: ids.length })
          : t('providers.disabledN', { count: ids.length }),
      );
    } catch (e) {
      toast.error((e as Error).message);
    }
    void refresh();
  };
  const remove = async (ids: string[]) => {
    const names = list.data
      ?.filter((p) => ids.includes(p.id))
      .map((p) => p.name)
      .join(', ');
    if (
      !(await confirm({
        title: t('providers.deleteTitle', { count: ids.length }),
        body: t('providers.deleteBody', { names }),
        destructive: true,
        confirmLabel: t('common.delete'),
      }))
    )
      return;
    try {
      const r = await unwrap(api.POST('/api/providers/batch-delete', { body: { ids } }));
      toast.success(t('providers.deletedN', { count: r.deleted }));
      setSelected(new Set());
    } catch (e) {
      toast.error((e as Error).message);
    }
    void refresh();
    void qc.invalidateQueries({ queryKey: ['models'] });
  };
  const toggle = (id: string, on: boolean) =>
    setSelected((s) => {
      const n = new Set(s);
      if (on) n.add(id);
      else n.delete(id);
      return n;
    });
  const ids = [...selected];
  const openNew = () => {
    setEditing(null);
    setFormOpen(true);
  };

  return (
    <div>
      <PageHeader
        title={t('providers.title')}
        subtitle={t('providers.subtitle')}
        actions={admin ? <NewButton onClick={openNew}>{t('providers.add')}</NewButton> : null}
      />
      {admin && selected.size ? (
        <Card className="mb-4 flex flex-wrap items-center gap-2 px-4 py-3">
          <span className="mr-auto text-sm text-fg">{t('common.selected', { count: selected.size })}</span>
          <Button size="sm" variant="secondary" onClick={() => void setEnabled(ids, true)}>
            {t('common.enable')}
          </Button>
          <Button size="sm" variant="secondary" onClick={() => void setEnabled(ids, false)}>
            {t('common.disable')}
          </Button>
          <Button
            size="sm"
            variant="danger"
            icon={<Trash2 className="size-3.5" />}
            onClick={() => void remove(ids)}
          >
            {t('common.delete')}
          </Button>
        </Card>
      ) : null}
      <QueryState
        query={list}
        empty={
          <EmptyState
            icon={<Server className="size-6" />}
            title={t('providers.emptyTitle')}
            body={t('providers.emptyBody')}
            action={admin ? <NewButton onClick={openNew}>{t('providers.add')}</NewButton> : undefined}
          />
        }
      >
        {(providers) => (
          <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
            {providers.map((p) => (
              <Card key={p.id} className="flex flex-col p-5" data-testid={`provider-${p.name}`}>
                <div className="flex items-start gap-3">
                  {admin ? (
                    <Checkbox
                      label={<span className="sr-only">{t('common.select')}</span>}
                      checked={selected.has(p.id)}
                      onChange={(v) => toggle(p.id, v)}
                    />
                  ) : null}
                  <div className="min-w-0 flex-1">
                    <h3 className="truncate text-[15px] font-semibold text-fg">{p.name}</h3>
                    <p className="truncate text-xs text-muted">
                      {p.type === 'mock' ? t('providers.type_mock') : p.baseUrl}
                    </p>
                  </div>
                  {admin ? (
                    <Switch
                      checked={p.enabled}
                      onChange={(v) => void setEnabled([p.id], v)}
                      label={t('common.enabled')}
                    />
                  ) : null}
                </div>
                <div className="mt-4 flex flex-wrap gap-1.5">
                  <Badge tone="primary">{t(`providers.type_${p.type}`)}</Badge>
                  <Badge tone={p.enabled ? 'success' : 'neutral'}>
                    {p.enabled ? t('common.enabled') : t('common.disabled')}
                  </Badge>
                  <Badge>{t('providers.keysN', { count: p.credentials.length })}</Badge>
                  <Badge>{t('providers.timeoutShort', { value: formatMs(p.timeoutMs) })}</Badge>
                  {(() => {
                    const row = stats.data?.byProvider.find((r) => r.provider === p.name);
                    if (!row || !p.enabled) return null;
                    const tone = errorTone(row.requests, row.errors);
                    return (
                      <Badge tone={tone}>
                        {t(`dashboard.health_${tone}`)} ·{' '}
                        {t('providers.errorRate', { rate: formatPercent(row.errors / row.requests) })}
                      </Badge>
                    );
                  })()}
                </div>
                {p.notes ? <p className="mt-3 line-clamp-2 text-xs text-muted">{p.notes}</p> : null}
                <div className="mt-auto flex flex-wrap gap-1 pt-4">
                  {admin ? (
                    <>
                      <Button
                        size="sm"
                        variant="ghost"
                        icon={<FlaskConical className="size-3.5" />}
                        onClick={() => setTesting(p)}
                      >
                        {t('providers.test')}
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        icon={<Download className="size-3.5" />}
                        onClick={() => setImporting(p)}
                      >
                        {t('providers.import')}
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        icon={<KeyRound className="size-3.5" />}
                        onClick={() => setCreds(p)}
                      >
                        {t('providers.keys')}
                      </Button>
                      <Button
                        size="sm"
                        variant="ghost"
                        icon={<Pencil className="size-3.5" />}
                        onClick={() => {
                          setEditing(p);
                          setFormOpen(true);
                        }}
                      >
                        {t('common.edit')}
                      </Button>
                      <IconButton
                        label={t('common.delete')}
                        onClick={() => void remove([p.id])}
                        className="ml-auto"
                      >
                        <Trash2 className="size-4" />
                      </IconButton>
                    </>
                  ) : null}
                </div>
              </Card>
            ))}
          </div>
        )}
      </QueryState>
      <ProviderForm open={formOpen} onClose={() => setFormOpen(false)} editing={editing} />
      <CredentialsModal provider={creds} onClose={() => setCreds(null)} />
      <TestModal provider={testing} onClose={() => setTesting(null)} />
      <ImportModal provider={importing} onClose={() => setImporting(null)} />
    </div>
  );
}
