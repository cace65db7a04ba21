import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { BellRing, Pencil, Send, Trash2 } from 'lucide-react';
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
  RowActions,
  Select,
  Switch,
  TableSkeleton,
} from '../components/ui';
import { QueryState } from '../components/QueryState';
import { confirm, DialogFooter, Drawer, Modal, toast } from '../components/overlays';
import { Tabs } from '../components/Tabs';
import { useDialogForm } from '../components/useDialogForm';
import {
  buildChannel,
  CHANNEL_TYPES,
  draftFromChannel,
  EMPTY_CHANNEL,
  type ChannelDraft,
} from '../lib/channels';
import { formatDateTime, formatMs, formatRelative } from '../lib/format';
import { isAdmin, useAuth } from '../stores/auth';
import { currentLang } from '../i18n';

type Channel = Schemas['ChannelView'];
type Rule = Schemas['RuleView'];
type EventType = Rule['eventType'];
type Severity = NonNullable<Rule['severity']>;

const EVENT_TYPES: EventType[] = [
  'provider.unhealthy',
  'provider.recovered',
  'apikey.invalid',
  'balance.low',
  'proxy.down',
  'proxy.recovered',
  'budget.threshold',
  'budget.exhausted',
  'model.error_rate',
  'model.latency_p95',
];
const METRIC_EVENTS: EventType[] = ['model.error_rate', 'model.latency_p95'];
const evKey = (e: string) => e.replace('.', '_');

function ErrorBox({ error }: { error: string | null }) {
  return error ? (
    <p className="rounded-xl bg-danger/10 px-3 py-2 text-sm text-danger" role="alert">
      {error}
    </p>
  ) : null;
}

function ChannelForm({
  open,
  onClose,
  editing,
}: {
  open: boolean;
  onClose(): void;
  editing: Channel | null;
}) {
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
    init: (): ChannelDraft =>
      editing ? draftFromChannel(editing as Parameters<typeof draftFromChannel>[0]) : EMPTY_CHANNEL,
    validate: (x) => buildChannel(x, !!editing).errors,
  });
  const save = useMutation({
    mutationFn: () => {
      const { type, ...rest } = buildChannel(d, !!editing).body;
      return editing
        ? unwrap(api.PATCH('/api/alerts/channels/{id}', { params: { path: { id: editing.id } }, body: rest }))
        : unwrap(api.POST('/api/alerts/channels', { body: { type, ...rest } }));
    },
    onSuccess: (c) => {
      void qc.invalidateQueries({ queryKey: ['alert-channels'] });
      toast.success(t('alerts.channelSaved', { name: c.name }));
      onClose();
    },
    onError: (e: Error) => setError(e.message),
  });
  const masked = (k: string) => (editing?.secrets as Record<string, string> | undefined)?.[k];
  const secretHint = (k: string) => (masked(k) ? t('alerts.secretKeep', { value: masked(k) }) : undefined);
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={editing ? t('alerts.editChannel') : t('alerts.newChannel')}
      footer={
        <DialogFooter
          onCancel={onClose}
          loading={save.isPending}
          onSubmit={() => submit(() => save.mutate())}
        />
      }
    >
      <div className="flex flex-col gap-4">
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('alerts.name')} htmlFor="c-name" error={err('name')}>
            <Input
              id="c-name"
              value={d.name}
              placeholder="ops-webhook"
              onChange={(e) => set({ name: e.target.value })}
            />
          </Field>
          <Field label={t('alerts.type')} htmlFor="c-type">
            <Select
              id="c-type"
              value={d.type}
              disabled={!!editing}
              onChange={(e) => set({ type: e.target.value as ChannelDraft['type'] })}
            >
              {CHANNEL_TYPES.map((x) => (
                <option key={x} value={x}>
                  {t(`alerts.type_${x}`)}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        {d.type === 'webhook' ? (
          <>
            <Field label={t('alerts.url')} htmlFor="c-url" error={err('url')}>
              <Input
                id="c-url"
                value={d.url}
                placeholder="https://hooks.example.com/alerts"
                onChange={(e) => set({ url: e.target.value })}
              />
            </Field>
            <Field
              label={t('alerts.signingSecret')}
              htmlFor="c-signing"
              hint={secretHint('signingSecret') ?? t('alerts.signingHint')}
            >
              <Input
                id="c-signing"
                type="password"
                autoComplete="off"
                value={d.signingSecret}
                onChange={(e) => set({ signingSecret: e.target.value })}
              />
            </Field>
          </>
        ) : d.type === 'email' ? (
          <>
            <div className="grid gap-4 sm:grid-cols-3">
              <div className="sm:col-span-2">
                <Field label={t('alerts.smtpHost')} htmlFor="c-host" error={err('host')}>
                  <Input
                    id="c-host"
                    value={d.host}
                    placeholder="smtp.example.com"
                    onChange={(e) => set({ host: e.target.value })}
                  />
                </Field>
              </div>
              <Field label={t('alerts.port')} htmlFor="c-port" error={err('port')}>
                <Input
                  id="c-port"
                  inputMode="numeric"
                  value={d.port}
                  onChange={(e) => set({ port: e.target.value })}
                />
              </Field>
            </div>
            <Field label={t('alerts.security')} htmlFor="c-sec">
              <Select
                id="c-sec"
                value={d.security}
                onChange={(e) => set({ security: e.target.value as ChannelDraft['security'] })}
              >
                {(['auto', 'tls', 'starttls', 'none'] as const).map((x) => (
                  <option key={x} value={x}>
                    {t(`alerts.security_${x}`)}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label={t('alerts.from')} htmlFor="c-from" error={err('from')}>
              <Input
                id="c-from"
                value={d.from}
                placeholder="alerts@example.com"
                onChange={(e) => set({ from: e.target.value })}
              />
            </Field>
            <Field label={t('alerts.to')} htmlFor="c-to" hint={t('alerts.toHint')} error={err('to')}>
              <Input
                id="c-to"
                value={d.to}
                placeholder="ops@example.com"
                onChange={(e) => set({ to: e.target.value })}
              />
            </Field>
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label={t('alerts.username')} htmlFor="c-user">
                <Input
                  id="c-user"
                  autoComplete="off"
                  value={d.username}
                  onChange={(e) => set({ username: e.target.value })}
                />
              </Field>
              <Field label={t('auth.password')} htmlFor="c-pw" hint={secretHint('password')}>
                <Input
                  id="c-pw"
                  type="password"
                  autoComplete="new-password"
                  value={d.password}
                  onChange={(e) => set({ password: e.target.value })}
                />
              </Field>
            </div>
          </>
        ) : (
          <>
            <Field
              label={t('alerts.botUrl')}
              htmlFor="c-bot"
              hint={secretHint('webhookUrl') ?? t('alerts.botUrlHint')}
              error={err('webhookUrl')}
            >
              <Input
                id="c-bot"
                type="password"
                autoComplete="off"
                value={d.webhookUrl}
                placeholder="https://…"
                onChange={(e) => set({ webhookUrl: e.target.value })}
              />
            </Field>
            {d.type !== 'slack' ? (
              <Field
                label={t('alerts.signSecret')}
                htmlFor="c-sign"
                hint={secretHint('signSecret') ?? t('alerts.signHint')}
              >
                <Input
                  id="c-sign"
                  type="password"
                  autoComplete="off"
                  value={d.signSecret}
                  onChange={(e) => set({ signSecret: e.target.value })}
                />
              </Field>
            ) : null}
          </>
        )}
        <div className="flex items-center justify-between">
          <span className="text-sm text-fg">{t('common.enabled')}</span>
          <Switch checked={d.enabled} onChange={(v) => set({ enabled: v })} label={t('common.enabled')} />
        </div>
        <ErrorBox error={error} />
      </div>
    </Modal>
  );
}

function ChannelsTab({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const list = useQuery({
    queryKey: ['alert-channels'],
    queryFn: () => unwrap(api.GET('/api/alerts/channels')),
  });
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Channel | null>(null);
  const [testing, setTesting] = useState<string | null>(null);
  const [result, setResult] = useState<{ name: string; r: Schemas['ChannelTestView'] } | null>(null);
  const test = async (c: Channel) => {
    setTesting(c.id);
    try {
      const r = await unwrap(api.POST('/api/alerts/channels/{id}/test', { params: { path: { id: c.id } } }));
      setResult({ name: c.name, r });
    } catch (e) {
      toast.error((e as Error).message);
    } finally {
      setTesting(null);
    }
  };
  const remove = async (c: Channel) => {
    if (
      !(await confirm({
        title: t('alerts.deleteChannelTitle'),
        body: t('alerts.deleteChannelBody', { name: c.name }),
        destructive: true,
        confirmLabel: t('common.delete'),
      }))
    )
      return;
    try {
      await unwrap(api.DELETE('/api/alerts/channels/{id}', { params: { path: { id: c.id } } }));
      toast.success(t('alerts.channelDeleted', { name: c.name }));
    } catch (e) {
      toast.error((e as Error).message);
    }
    void qc.invalidateQueries({ queryKey: ['alert-channels'] });
  };
  const openNew = () => {
    setEditing(null);
    setFormOpen(true);
  };
  const where = (c: Channel) => {
    const cfg = c.config as Record<string, unknown>;
    if (c.type === 'webhook') return String(cfg.url ?? '');
    if (c.type === 'email') return Array.isArray(cfg.to) ? (cfg.to as string[]).join(', ') : '';
    return String(cfg.host ?? '');
  };
  return (
    <div>
      {admin ? (
        <div className="mb-4 flex justify-end">
          <NewButton onClick={openNew}>{t('alerts.newChannel')}</NewButton>
        </div>
      ) : null}
      <QueryState
        query={list}
        empty={
          <EmptyState
            icon={<BellRing className="size-6" />}
            title={t('alerts.noChannelsTitle')}
            body={t('alerts.noChannelsBody')}
            action={admin ? <NewButton onClick={openNew}>{t('alerts.newChannel')}</NewButton> : undefined}
          />
        }
      >
        {(channels) => (
          <Card className="overflow-x-auto">
            <table className="w-full min-w-[640px] text-sm">
              <thead>
                <tr className="border-b border-line text-left text-xs text-muted">
                  <th className="px-5 py-3 font-medium">{t('alerts.name')}</th>
                  <th className="px-3 py-3 font-medium">{t('alerts.type')}</th>
                  <th className="px-3 py-3 font-medium">{t('alerts.destination')}</th>
                  <th className="px-3 py-3 font-medium">{t('common.enabled')}</th>
                  <th className="px-5 py-3" />
                </tr>
              </thead>
              <tbody>
                {channels.map((c) => (
                  <tr
                    key={c.id}
                    className="border-b border-line last:border-0"
                    data-testid={`channel-${c.name}`}
                  >
                    <td className="px-5 py-3 font-medium text-fg">{c.name}</td>
                    <td className="px-3 py-3">
                      <Badge tone="primary">{t(`alerts.type_${c.type}`)}</Badge>
                    </td>
                    <td className="max-w-64 truncate px-3 py-3 text-muted">{where(c)}</td>
                    <td className="px-3 py-3">
                      {c.enabled ? (
                        <Badge tone="success">{t('common.enabled')}</Badge>
                      ) : (
                        <Badge>{t('common.disabled')}</Badge>
                      )}
                    </td>
                    <td className="px-5 py-3">
                      {admin ? (
                        <div className="flex justify-end gap-1">
                          <Button
                            size="sm"
                            variant="secondary"
                            icon={<Send className="size-3.5" />}
                            loading={testing === c.id}
                            onClick={() => void test(c)}
                          >
                            {t('alerts.sendTest')}
                          </Button>
                          <IconButton
                            label={t('common.edit')}
                            onClick={() => {
                              setEditing(c);
                              setFormOpen(true);
                            }}
                          >
                            <Pencil className="size-4" />
                          </IconButton>
                          <IconButton label={t('common.delete')} onClick={() => void remove(c)}>
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
      <ChannelForm open={formOpen} onClose={() => setFormOpen(false)} editing={editing} />
      <Modal
        open={!!result}
        onClose={() => setResult(null)}
        title={t('alerts.testResult')}
        footer={<Button onClick={() => setResult(null)}>{t('common.close')}</Button>}
      >
        {result ? (
          <div className="flex flex-col gap-3 text-sm" data-testid="test-result">
            <div className="flex items-center gap-2">
              <Badge tone={result.r.ok ? 'success' : 'danger'}>
                {result.r.ok ? t('alerts.testOk') : t('alerts.testFailed')}
              </Badge>
              <span className="text-fg">{result.name}</span>
            </div>
            <p className="text-muted">
              {result.r.statusCode != null ? `HTTP ${result.r.statusCode} · ` : ''}
              {formatMs(result.r.durationMs)}
            </p>
            {result.r.error ? (
              <p className="break-words rounded-xl bg-danger/10 px-3 py-2 text-danger">{result.r.error}</p>
            ) : null}
          </div>
        ) : null}
      </Modal>
    </div>
  );
}

interface RuleDraft {
  name: string;
  eventType: EventType;
  channelIds: string[];
  cooldown: string;
  model: string;
  threshold: string;
  window: string;
  minRequests: string;
  severity: '' | Severity;
  enabled: boolean;
}

/** Validates a rule form; returns i18n error keys by field. */
export function validateRule(d: RuleDraft): Partial<Record<keyof RuleDraft, string>> {
  const e: Partial<Record<keyof RuleDraft, string>> = {};
  const int = (s: string, min: number, max: number) => {
    const n = Number(s);
    return s.trim() !== '' && Number.isInteger(n) && n >= min && n <= max;
  };
  if (!d.name.trim()) e.name = 'alerts.errName';
  if (!d.channelIds.length) e.channelIds = 'alerts.errChannels';
  if (!int(d.cooldown, 0, 604_800)) e.cooldown = 'alerts.errCooldown';
  if (METRIC_EVENTS.includes(d.eventType)) {
    const n = Number(d.threshold);
    const max = d.eventType === 'model.error_rate' ? 100 : 600_000;
    if (d.threshold.trim() === '' || !Number.isFinite(n) || n <= 0 || n > max)
      e.threshold = 'alerts.errThreshold';
    if (!int(d.window, 10, 86_400)) e.window = 'alerts.errWindow';
    if (!int(d.minRequests, 1, 100_000)) e.minRequests = 'alerts.errMinRequests';
  }
  return e;
}

function RuleForm({
  open,
  onClose,
  editing,
  channels,
}: {
  open: boolean;
  onClose(): void;
  editing: Rule | null;
  channels: Channel[];
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const {
    value: draft,
    set,
    err,
    error,
    setError,
    submit,
  } = useDialogForm({
    open,
    key: editing?.id ?? 'new',
    init: (): RuleDraft => ({
      name: editing?.name ?? '',
      eventType: editing?.eventType ?? 'provider.unhealthy',
      channelIds: editing?.channelIds ?? (channels.length === 1 ? [channels[0].id] : []),
      cooldown: String(editing?.cooldownSeconds ?? 300),
      model: editing?.model ?? '',
      threshold: editing?.threshold != null ? String(editing.threshold) : '',
      window: String(editing?.windowSeconds ?? 300),
      minRequests: String(editing?.minRequests ?? 20),
      severity: editing?.severity ?? '',
      enabled: editing?.enabled ?? true,
    }),
    validate: validateRule,
  });
  const metric = METRIC_EVENTS.includes(draft.eventType);
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: draft.name.trim(),
        eventType: draft.eventType,
        channelIds: draft.channelIds,
        cooldownSeconds: Number(draft.cooldown),
        enabled: draft.enabled,
        ...(draft.severity ? { severity: draft.severity } : {}),
        ...(metric
          ? {
              threshold: Number(draft.threshold) as unknown as Record<string, never>,
              windowSeconds: Number(draft.window),
              minRequests: Number(draft.minRequests),
              model: (draft.model.trim() || null) as unknown as Record<string, never>,
            }
          : {}),
      };
      return editing
        ? unwrap(api.PATCH('/api/alerts/rules/{id}', { params: { path: { id: editing.id } }, body }))
        : unwrap(api.POST('/api/alerts/rules', { body }));
    },
    onSuccess: (r) => {
      void qc.invalidateQueries({ queryKey: ['alert-rules'] });
      toast.success(t('alerts.ruleSaved', { name: r.name }));
      onClose();
    },
    onError: (e: Error) => setError(e.message),
  });
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={editing ? t('alerts.editRule') : t('alerts.newRule')}
      footer={
        <DialogFooter
          onCancel={onClose}
          loading={save.isPending}
          onSubmit={() => submit(() => save.mutate())}
        />
      }
    >
      <div className="flex flex-col gap-4">
        <Field label={t('alerts.name')} htmlFor="r-name" error={err('name')}>
          <Input
            id="r-name"
            value={draft.name}
            placeholder="upstream down"
            onChange={(e) => set({ name: e.target.value })}
          />
        </Field>
        <Field label={t('alerts.event')} htmlFor="r-event" hint={t(`alerts.ev_${evKey(draft.eventType)}`)}>
          <Select
            id="r-event"
            value={draft.eventType}
            onChange={(e) => set({ eventType: e.target.value as EventType })}
          >
            {EVENT_TYPES.map((x) => (
              <option key={x} value={x}>
                {x}
              </option>
            ))}
          </Select>
        </Field>
        <fieldset>
          <legend className="mb-1.5 text-[13px] font-medium text-fg">{t('alerts.channels')}</legend>
          {channels.length ? (
            <div className="grid gap-1 rounded-2xl bg-fill p-3 sm:grid-cols-2">
              {channels.map((c) => (
                <Checkbox
                  key={c.id}
                  label={c.name}
                  checked={draft.channelIds.includes(c.id)}
                  onChange={(v) =>
                    set({
                      channelIds: v
                        ? [...draft.channelIds, c.id]
                        : draft.channelIds.filter((x) => x !== c.id),
                    })
                  }
                />
              ))}
            </div>
          ) : (
            <p className="text-sm text-muted">{t('alerts.needChannel')}</p>
          )}
          {err('channelIds') ? (
            <p className="mt-1 text-xs text-danger" role="alert">
              {err('channelIds')}
            </p>
          ) : null}
        </fieldset>
        {metric ? (
          <div className="grid gap-4 rounded-2xl border border-line p-4 sm:grid-cols-2">
            <Field
              label={
                draft.eventType === 'model.error_rate' ? t('alerts.thresholdPct') : t('alerts.thresholdMs')
              }
              htmlFor="r-thr"
              error={err('threshold')}
            >
              <Input
                id="r-thr"
                inputMode="decimal"
                value={draft.threshold}
                onChange={(e) => set({ threshold: e.target.value })}
              />
            </Field>
            <Field label={t('alerts.model')} htmlFor="r-model" hint={t('alerts.modelHint')}>
              <Input
                id="r-model"
                value={draft.model}
                placeholder="gpt-4o"
                onChange={(e) => set({ model: e.target.value })}
              />
            </Field>
            <Field label={t('alerts.window')} htmlFor="r-win" error={err('window')}>
              <Input
                id="r-win"
                inputMode="numeric"
                value={draft.window}
                onChange={(e) => set({ window: e.target.value })}
              />
            </Field>
            <Field label={t('alerts.minRequests')} htmlFor="r-min" error={err('minRequests')}>
              <Input
                id="r-min"
                inputMode="numeric"
                value={draft.minRequests}
                onChange={(e) => set({ minRequests: e.target.value })}
              />
            </Field>
          </div>
        ) : null}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field
            label={t('alerts.cooldown')}
            htmlFor="r-cool"
            hint={t('alerts.cooldownHint')}
            error={err('cooldown')}
          >
            <Input
              id="r-cool"
              inputMode="numeric"
              value={draft.cooldown}
              onChange={(e) => set({ cooldown: e.target.value })}
            />
          </Field>
          <Field label={t('alerts.severity')} htmlFor="r-sev">
            <Select
              id="r-sev"
              value={draft.severity}
              onChange={(e) => set({ severity: e.target.value as RuleDraft['severity'] })}
            >
              <option value="">{t('alerts.severityDefault')}</option>
              {(['info', 'warning', 'critical'] as const).map((x) => (
                <option key={x} value={x}>
                  {t(`alerts.severity_${x}`)}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <div className="flex items-center justify-between">
          <span className="text-sm text-fg">{t('common.enabled')}</span>
          <Switch checked={draft.enabled} onChange={(v) => set({ enabled: v })} label={t('common.enabled')} />
        </div>
        <ErrorBox error={error} />
      </div>
    </Modal>
  );
}

function RulesTab({ admin }: { admin: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const rules = useQuery({ queryKey: ['alert-rules'], queryFn: () => unwrap(api.GET('/api/alerts/rules')) });
  const channels = useQuery({
    queryKey: ['alert-channels'],
    queryFn: () => unwrap(api.GET('/api/alerts/channels')),
  });
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Rule | null>(null);
  const setEnabled = async (r: Rule, enabled: boolean) => {
    try {
      await unwrap(
        api.PATCH('/api/alerts/rules/{id}', { params: { path: { id: r.id } }, body: { enabled } }),
      );
    } catch (e) {
      toast.error((e as Error).message);
    }
    void qc.invalidateQueries({ queryKey: ['alert-rules'] });
  };
  const remove = async (r: Rule) => {
    if (
      !(await confirm({
        title: t('alerts.deleteRuleTitle'),
        body: t('alerts.deleteRuleBody', { name: r.name }),
        destructive: true,
        confirmLabel: t('common.delete'),
      }))
    )
      return;
    try {
      await unwrap(api.DELETE('/api/alerts/rules/{id}', { params: { path: { id: r.id } } }));
      toast.success(t('alerts.ruleDeleted', { name: r.name }));
    } catch (e) {
      toast.error((e as Error).message);
    }
    void qc.invalidateQueries({ queryKey: ['alert-rules'] });
  };
  const openNew = () => {
    setEditing(null);
    setFormOpen(true);
  };
  const channelName = (id: string) => channels.data?.find((c) => c.id === id)?.name ?? id.slice(0, 8);
  return (
    <div>
      {admin ? (
        <div className="mb-4 flex justify-end">
          <NewButton onClick={openNew}>{t('alerts.newRule')}</NewButton>
        </div>
      ) : null}
      <QueryState
        query={rules}
        empty={
          <EmptyState
            icon={<BellRing className="size-6" />}
            title={t('alerts.noRulesTitle')}
            body={t('alerts.noRulesBody')}
            action={admin ? <NewButton onClick={openNew}>{t('alerts.newRule')}</NewButton> : undefined}
          />
        }
      >
        {(rows) => (
          <Card className="overflow-x-auto">
            <table className="w-full min-w-[680px] text-sm">
              <thead>
                <tr className="border-b border-line text-left text-xs text-muted">
                  <th className="px-5 py-3 font-medium">{t('alerts.name')}</th>
                  <th className="px-3 py-3 font-medium">{t('alerts.event')}</th>
                  <th className="px-3 py-3 font-medium">{t('alerts.channels')}</th>
                  <th className="px-3 py-3 font-medium">{t('alerts.cooldown')}</th>
                  <th className="px-3 py-3 font-medium">{t('common.enabled')}</th>
                  <th className="px-5 py-3" />
                </tr>
              </thead>
              <tbody>
                {rows.map((r) => (
                  <tr
                    key={r.id}
                    className="border-b border-line last:border-0"
                    data-testid={`rule-${r.name}`}
                  >
                    <td className="px-5 py-3 font-medium text-fg">{r.name}</td>
                    <td className="px-3 py-3">
                      <code className="text-xs">{r.eventType}</code>
                      {r.threshold != null ? (
                        <div className="text-xs text-muted">
                          {r.eventType === 'model.error_rate' ? `≥ ${r.threshold}%` : `≥ ${r.threshold} ms`}
                          {r.model ? ` · ${r.model}` : ''}
                        </div>
                      ) : null}
                    </td>
                    <td className="px-3 py-3">
                      <div className="flex flex-wrap gap-1">
                        {r.channelIds.map((id) => (
                          <Badge key={id}>{channelName(id)}</Badge>
                        ))}
                      </div>
                    </td>
                    <td className="px-3 py-3 tabular-nums text-muted">{r.cooldownSeconds} s</td>
                    <td className="px-3 py-3">
                      <Switch
                        checked={r.enabled}
                        disabled={!admin}
                        onChange={(v) => void setEnabled(r, v)}
                        label={t('common.enabled')}
                      />
                    </td>
                    <RowActions
                      hidden={!admin}
                      onEdit={() => {
                        setEditing(r);
                        setFormOpen(true);
                      }}
                      onDelete={() => void remove(r)}
                    />
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        )}
      </QueryState>
      <RuleForm
        open={formOpen}
        onClose={() => setFormOpen(false)}
        editing={editing}
        channels={channels.data ?? []}
      />
    </div>
  );
}

const statusTone = (s: string) =>
  s === 'sent' ? 'success' : s === 'failed' ? 'danger' : s === 'pending' ? 'warning' : 'neutral';
const severityTone = (s: string) => (s === 'critical' ? 'danger' : s === 'warning' ? 'warning' : 'primary');

function HistoryTab() {
  const { t } = useTranslation();
  const lang = currentLang();
  const [status, setStatus] = useState('');
  const [page, setPage] = useState(1);
  const [open, setOpen] = useState<string | null>(null);
  const list = useQuery({
    queryKey: ['alerts', status, page],
    queryFn: () =>
      unwrap(
        api.GET('/api/alerts', {
          params: {
            query: { page, pageSize: 25, ...(status ? { status: status as 'sent' } : {}) },
          },
        }),
      ),
    refetchInterval: 15_000,
  });
  const detail = useQuery({
    queryKey: ['alert', open],
    queryFn: () => unwrap(api.GET('/api/alerts/{id}', { params: { path: { id: open! } } })),
    enabled: !!open,
  });
  const pages = list.data ? Math.max(1, Math.ceil(list.data.total / list.data.pageSize)) : 1;
  return (
    <div>
      <div className="mb-4 flex items-center gap-3">
        <Select
          aria-label={t('alerts.status')}
          className="w-full sm:w-64"
          value={status}
          onChange={(e) => {
            setStatus(e.target.value);
            setPage(1);
          }}
        >
          <option value="">{t('alerts.allStatuses')}</option>
          {(['sent', 'failed', 'pending', 'none'] as const).map((s) => (
            <option key={s} value={s}>
              {t(`alerts.status_${s}`)}
            </option>
          ))}
        </Select>
      </div>
      <QueryState
        query={list}
        isEmpty={(d) => !d.items.length}
        empty={
          <EmptyState
            icon={<BellRing className="size-6" />}
            title={t('alerts.noAlertsTitle')}
            body={t('alerts.noAlertsBody')}
          />
        }
      >
        {(alerts) => (
          <>
            <Card className="overflow-x-auto">
              <table className="w-full min-w-[680px] text-sm">
                <thead>
                  <tr className="border-b border-line text-left text-xs text-muted">
                    <th className="px-5 py-3 font-medium">{t('alerts.when')}</th>
                    <th className="px-3 py-3 font-medium">{t('alerts.alert')}</th>
                    <th className="px-3 py-3 font-medium">{t('alerts.severity')}</th>
                    <th className="px-3 py-3 font-medium">{t('alerts.status')}</th>
                  </tr>
                </thead>
                <tbody>
                  {alerts.items.map((a) => (
                    <tr
                      key={a.id}
                      className="cursor-pointer border-b border-line last:border-0 hover:bg-fill/60"
                      tabIndex={0}
                      onClick={() => setOpen(a.id)}
                      onKeyDown={(e) => (e.key === 'Enter' || e.key === ' ') && setOpen(a.id)}
                    >
                      <td className="px-5 py-3 text-muted">{formatRelative(a.createdAt, lang)}</td>
                      <td className="px-3 py-3">
                        <div className="font-medium text-fg">{a.title}</div>
                        <div className="text-xs text-muted">
                          <code>{a.eventType}</code>
                          {a.ruleName ? ` · ${a.ruleName}` : ''}
                        </div>
                      </td>
                      <td className="px-3 py-3">
                        <Badge tone={severityTone(a.severity)}>{t(`alerts.severity_${a.severity}`)}</Badge>
                      </td>
                      <td className="px-3 py-3">
                        <Badge tone={statusTone(a.status)}>{t(`alerts.status_${a.status}`)}</Badge>
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </Card>
            {pages > 1 ? (
              <div className="mt-4 flex items-center justify-end gap-2 text-sm text-muted">
                <Button
                  size="sm"
                  variant="secondary"
                  disabled={page <= 1}
                  onClick={() => setPage((p) => p - 1)}
                >
                  {t('alerts.prev')}
                </Button>
                <span>
                  {page} / {pages}
                </span>
                <Button
                  size="sm"
                  variant="secondary"
                  disabled={page >= pages}
                  onClick={() => setPage((p) => p + 1)}
                >
                  {t('alerts.next')}
                </Button>
              </div>
            ) : null}
          </>
        )}
      </QueryState>
      <Drawer open={!!open} onClose={() => setOpen(null)} title={detail.data?.title ?? t('alerts.alert')}>
        {!detail.data ? (
          <TableSkeleton rows={3} />
        ) : (
          <div className="flex flex-col gap-5 text-sm">
            <div className="flex flex-wrap gap-2">
              <Badge tone={severityTone(detail.data.severity)}>
                {t(`alerts.severity_${detail.data.severity}`)}
              </Badge>
              <Badge tone={statusTone(detail.data.status)}>{t(`alerts.status_${detail.data.status}`)}</Badge>
              <Badge>{detail.data.eventType}</Badge>
            </div>
            <p className="whitespace-pre-wrap text-fg">{detail.data.message}</p>
            <p className="text-xs text-muted">{formatDateTime(detail.data.createdAt, lang)}</p>
            <div>
              <h3 className="mb-2 font-semibold text-fg">{t('alerts.deliveries')}</h3>
              {!detail.data.deliveries.length ? (
                <p className="text-muted">{t('alerts.noDeliveries')}</p>
              ) : (
                <ul className="flex flex-col gap-3">
                  {detail.data.deliveries.map((dl) => (
                    <li key={dl.id} className="rounded-2xl bg-fill p-4">
                      <div className="flex items-center justify-between gap-2">
                        <span className="font-medium text-fg">
                          {dl.channelName ?? '—'}{' '}
                          <span className="text-xs text-muted">({dl.channelType})</span>
                        </span>
                        <Badge tone={statusTone(dl.status)}>{t(`alerts.status_${dl.status}`)}</Badge>
                      </div>
                      <ol className="mt-2 flex flex-col gap-1 text-xs">
                        {dl.history.map((h) => (
                          <li key={h.attempt} className="flex flex-wrap gap-x-3 text-muted">
                            <span>#{h.attempt}</span>
                            <span>{formatDateTime(h.at, lang)}</span>
                            <span className={h.ok ? 'text-success' : 'text-danger'}>
                              {h.ok ? t('alerts.testOk') : t('alerts.testFailed')}
                              {h.statusCode != null ? ` · HTTP ${h.statusCode}` : ''}
                            </span>
                            <span>{formatMs(h.durationMs)}</span>
                            {h.error ? (
                              <span className="w-full break-words text-danger">{h.error}</span>
                            ) : null}
                          </li>
                        ))}
                      </ol>
                    </li>
                  ))}
                </ul>
              )}
            </div>
            <details>
              <summary className="cursor-pointer text-muted">{t('alerts.payload')}</summary>
              <pre className="mt-2 overflow-x-auto rounded-xl bg-fill p-3 font-mono text-xs text-fg">
                {JSON.stringify(detail.data.payload, null, 2)}
              </pre>
            </details>
          </div>
        )}
      </Drawer>
    </div>
  );
}

export default function AlertsPage() {
  const { t } = useTranslation();
  const admin = isAdmin(useAuth((s) => s.user));
  const [tab, setTab] = useState<'channels' | 'rules' | 'history'>('channels');
  return (
    <div>
      <PageHeader title={t('alerts.title')} subtitle={t('alerts.subtitle')} />
      <Tabs<'channels' | 'rules' | 'history'>
        value={tab}
        onChange={setTab}
        items={[
          { id: 'channels', label: t('alerts.tabChannels') },
          { id: 'rules', label: t('alerts.tabRules') },
          { id: 'history', label: t('alerts.tabHistory') },
        ]}
      />
      {tab === 'channels' ? (
        <ChannelsTab admin={admin} />
      ) : tab === 'rules' ? (
        <RulesTab admin={admin} />
      ) : (
        <HistoryTab />
      )}
    </div>
  );
}
