import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { KeyRound, PiggyBank, Plus, RefreshCw, ShieldAlert, X } from 'lucide-react';
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
  Textarea,
} from '../components/ui';
import { QueryState } from '../components/QueryState';
import { BudgetForm } from '../components/BudgetForm';
import {
  buildKeyLimits,
  KEY_SCOPES,
  type KeyLimitsDraft,
  type KeyScope,
  type ModelLimitDraft,
} from '../lib/keyLimits';
import { confirm, CopyButton, DialogFooter, Modal, toast } from '../components/overlays';
import { useDialogForm } from '../components/useDialogForm';
import { isAdmin, useAuth } from '../stores/auth';
import { formatDateTime, formatNumber as formatNumberShort, formatRelative } from '../lib/format';
import { currentLang } from '../i18n';

type ApiKey = Schemas['ApiKeyView'];

function toDateInput(iso: string | null | undefined): string {
  return iso ? iso.slice(0, 10) : '';
}

interface KeyDraft extends KeyLimitsDraft {
  name: string;
  userId: string;
  restrict: boolean;
  allowed: string[];
  expires: string;
}

function KeyForm({
  open,
  onClose,
  editing,
  onCreated,
}: {
  open: boolean;
  onClose(): void;
  editing: ApiKey | null;
  onCreated(k: Schemas['CreatedApiKeyView']): void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const user = useAuth((s) => s.user);
  const admin = isAdmin(user);
  const models = useQuery({
    queryKey: ['models'],
    queryFn: () => unwrap(api.GET('/api/models')),
    enabled: open,
  });
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => unwrap(api.GET('/api/users')),
    enabled: open && admin && !editing,
  });
  const {
    value: d,
    set,
    err: limitErr,
    error,
    setError,
    submit,
  } = useDialogForm({
    open,
    key: editing?.id ?? 'new',
    init: (): KeyDraft => ({
      name: editing?.name ?? '',
      userId: '',
      restrict: !!editing?.allowedModels?.length,
      allowed: editing?.allowedModels ?? [],
      expires: toDateInput(editing?.expiresAt),
      scopes: (editing?.scopes ?? []) as KeyScope[],
      rpm: editing?.rpmLimit != null ? String(editing.rpmLimit) : '',
      tpm: editing?.tpmLimit != null ? String(editing.tpmLimit) : '',
      modelLimits: (
        (editing?.modelLimits ?? []) as { model: string; rpm?: number | null; tpm?: number | null }[]
      ).map((m) => ({
        model: m.model,
        rpm: m.rpm != null ? String(m.rpm) : '',
        tpm: m.tpm != null ? String(m.tpm) : '',
      })),
      allowedIps: (editing?.allowedIps ?? []).join('\n'),
      memoryEnabled: editing?.memoryEnabled ?? false,
    }),
    validate: (x) => buildKeyLimits(x, admin).errors,
  });
  const {
    name,
    userId,
    restrict,
    allowed,
    expires,
    scopes,
    rpm,
    tpm,
    modelLimits,
    allowedIps,
    memoryEnabled,
  } = d;
  const setModelLimits = (f: (a: ModelLimitDraft[]) => ModelLimitDraft[]) =>
    set((x) => ({ modelLimits: f(x.modelLimits) }));
  const save = useMutation({
    mutationFn: async () => {
      // the OpenAPI document types nullable numbers as objects
      const limitsBody = buildKeyLimits(d, admin).body as unknown as Record<string, never>;
      const expiresAt = expires ? new Date(`${expires}T23:59:59`).toISOString() : undefined;
      const allowedModels = restrict ? allowed : [];
      if (editing) {
        return unwrap(
          api.PATCH('/api/api-keys/{id}', {
            params: { path: { id: editing.id } },
            body: { name: name.trim(), allowedModels, ...limitsBody, ...(expiresAt ? { expiresAt } : {}) },
          }),
        );
      }
      return unwrap(
        api.POST('/api/api-keys', {
          body: {
            name: name.trim(),
            allowedModels,
            ...limitsBody,
            ...(expiresAt ? { expiresAt } : {}),
            ...(userId ? { userId } : {}),
          },
        }),
      );
    },
    onSuccess: (k) => {
      void qc.invalidateQueries({ queryKey: ['api-keys'] });
      onClose();
      if ('key' in k) onCreated(k as Schemas['CreatedApiKeyView']);
      else toast.success(t('keys.saved', { name: k.name }));
    },
    onError: (e: Error) => setError(e.message),
  });
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={editing ? t('keys.edit') : t('keys.create')}
      footer={
        <DialogFooter
          onCancel={onClose}
          loading={save.isPending}
          disabled={!name.trim() || (restrict && !allowed.length)}
          onSubmit={() => submit(() => save.mutate())}
          submitLabel={editing ? t('common.save') : t('keys.create')}
        />
      }
    >
      <div className="flex flex-col gap-4">
        <Field label={t('keys.name')} htmlFor="k-name" hint={t('keys.nameHint')}>
          <Input
            id="k-name"
            value={name}
            onChange={(e) => set({ name: e.target.value })}
            placeholder="ci-bot"
          />
        </Field>
        {admin && !editing ? (
          <Field label={t('keys.owner')} htmlFor="k-user" hint={t('keys.ownerHint')}>
            <Select id="k-user" value={userId} onChange={(e) => set({ userId: e.target.value })}>
              <option value="">{t('keys.me')}</option>
              {users.data
                ?.filter((u) => u.id !== user?.id)
                .map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.email}
                  </option>
                ))}
            </Select>
          </Field>
        ) : null}
        <Field
          label={t('keys.expiry')}
          htmlFor="k-exp"
          hint={editing?.expiresAt ? t('keys.expiryKeep') : t('keys.expiryHint')}
        >
          <Input
            id="k-exp"
            type="date"
            value={expires}
            min={new Date().toISOString().slice(0, 10)}
            onChange={(e) => set({ expires: e.target.value })}
          />
        </Field>
        <div>
          <Checkbox
            id="k-restrict"
            label={t('keys.restrict')}
            checked={restrict}
            onChange={(v) => set({ restrict: v })}
          />
          {restrict ? (
            <div className="mt-3 grid max-h-48 gap-1 overflow-y-auto rounded-2xl bg-fill p-3 sm:grid-cols-2">
              {models.data?.length ? (
                models.data.map((m) => (
                  <Checkbox
                    key={m.id}
                    label={m.name}
                    checked={allowed.includes(m.name)}
                    onChange={(v) =>
                      set((x) => ({
                        allowed: v ? [...x.allowed, m.name] : x.allowed.filter((n) => n !== m.name),
                      }))
                    }
                  />
                ))
              ) : (
                <p className="text-sm text-muted">{t('keys.noModels')}</p>
              )}
            </div>
          ) : null}
        </div>
        <fieldset>
          <legend className="mb-1.5 text-[13px] font-medium text-fg">{t('keys.scopes')}</legend>
          <div className="grid gap-1 rounded-2xl bg-fill p-3 sm:grid-cols-3">
            {KEY_SCOPES.map((sc) => (
              <Checkbox
                key={sc}
                label={t(`keys.scope_${sc}`)}
                checked={scopes.includes(sc)}
                onChange={(v) =>
                  set((x) => ({ scopes: v ? [...x.scopes, sc] : x.scopes.filter((s) => s !== sc) }))
                }
              />
            ))}
          </div>
          <p className="mt-1 text-xs text-muted">{t('keys.scopesHint')}</p>
        </fieldset>
        <Field
          label={t('keys.allowedIps')}
          htmlFor="k-ips"
          hint={t('keys.allowedIpsHint')}
          error={limitErr('allowedIps')}
        >
          <Textarea
            id="k-ips"
            rows={2}
            value={allowedIps}
            placeholder="203.0.113.7, 10.0.0.0/8"
            onChange={(e) => set({ allowedIps: e.target.value })}
          />
        </Field>
        <div className="flex items-center justify-between gap-3">
          <div>
            <p className="text-sm text-fg">{t('keys.memory')}</p>
            <p className="text-xs text-muted">{t('keys.memoryHint')}</p>
          </div>
          <Switch
            checked={memoryEnabled}
            onChange={(v) => set({ memoryEnabled: v })}
            label={t('keys.memory')}
          />
        </div>
        {admin ? (
          <fieldset className="flex flex-col gap-3 rounded-2xl border border-line p-4">
            <legend className="px-1 text-[13px] font-medium text-fg">{t('keys.limits')}</legend>
            <div className="grid gap-3 sm:grid-cols-2">
              <Field
                label={t('keys.rpm')}
                htmlFor="k-rpm"
                hint={t('keys.unlimitedHint')}
                error={limitErr('rpm')}
              >
                <Input
                  id="k-rpm"
                  inputMode="numeric"
                  value={rpm}
                  onChange={(e) => set({ rpm: e.target.value })}
                />
              </Field>
              <Field
                label={t('keys.tpm')}
                htmlFor="k-tpm"
                hint={t('keys.unlimitedHint')}
                error={limitErr('tpm')}
              >
                <Input
                  id="k-tpm"
                  inputMode="numeric"
                  value={tpm}
                  onChange={(e) => set({ tpm: e.target.value })}
                />
              </Field>
            </div>
            <p className="text-[13px] font-medium text-fg">{t('keys.modelLimits')}</p>
            {modelLimits.map((m, i) => (
              <div key={i}>
                <div className="flex items-center gap-2">
                  <Input
                    aria-label={t('keys.model')}
                    placeholder={t('keys.model')}
                    value={m.model}
                    list="k-model-names"
                    onChange={(e) =>
                      setModelLimits((a) => a.map((x, j) => (j === i ? { ...x, model: e.target.value } : x)))
                    }
                  />
                  <Input
                    aria-label={t('keys.rpm')}
                    placeholder="RPM"
                    inputMode="numeric"
                    className="w-24"
                    value={m.rpm}
                    onChange={(e) =>
                      setModelLimits((a) => a.map((x, j) => (j === i ? { ...x, rpm: e.target.value } : x)))
                    }
                  />
                  <Input
                    aria-label={t('keys.tpm')}
                    placeholder="TPM"
                    inputMode="numeric"
                    className="w-28"
                    value={m.tpm}
                    onChange={(e) =>
                      setModelLimits((a) => a.map((x, j) => (j === i ? { ...x, tpm: e.target.value } : x)))
                    }
                  />
                  <IconButton
                    label={t('common.delete')}
                    onClick={() => setModelLimits((a) => a.filter((_, j) => j !== i))}
                  >
                    <X className="size-4" />
                  </IconButton>
                </div>
                {limitErr(`model${i}`) ? (
                  <p className="mt-1 text-xs text-danger" role="alert">
                    {limitErr(`model${i}`)}
                  </p>
                ) : null}
              </div>
            ))}
            <datalist id="k-model-names">
              {models.data?.map((m) => (
                <option key={m.id} value={m.name} />
              ))}
            </datalist>
            <Button
              variant="secondary"
              size="sm"
              icon={<Plus className="size-4" />}
              className="self-start"
              onClick={() => setModelLimits((a) => [...a, { model: '', rpm: '', tpm: '' }])}
            >
              {t('keys.addModelLimit')}
            </Button>
          </fieldset>
        ) : null}
        {error ? (
          <p className="rounded-xl bg-danger/10 px-3 py-2 text-sm text-danger" role="alert">
            {error}
          </p>
        ) : null}
      </div>
    </Modal>
  );
}

function SecretModal({
  created,
  onClose,
}: {
  created: Schemas['CreatedApiKeyView'] | null;
  onClose(): void;
}) {
  const { t } = useTranslation();
  return (
    <Modal
      open={!!created}
      onClose={onClose}
      title={t('keys.createdTitle')}
      footer={<Button onClick={onClose}>{t('keys.done')}</Button>}
    >
      <div className="flex gap-3 rounded-2xl bg-warning/10 p-3 text-sm text-fg">
        <ShieldAlert className="size-5 shrink-0 text-warning" />
        {t('keys.onceWarning')}
      </div>
      <div className="mt-4 flex items-center gap-2">
        <code
          className="flex-1 break-all rounded-xl bg-fill px-3 py-2.5 font-mono text-sm text-fg"
          data-testid="new-key-secret"
        >
          {created?.key}
        </code>
        <CopyButton text={created?.key ?? ''} />
      </div>
      <p className="mt-4 text-xs text-muted">{t('keys.usage')}</p>
      <pre className="mt-2 overflow-x-auto rounded-xl bg-fill p-3 font-mono text-xs text-fg">
        {`curl ${window.location.origin}/v1/chat/completions \\
  -H "Authorization: Bearer ${created?.key ?? 'sk-…'}" \\
  -H "Content-Type: application/json" \\
  -d '{"model":"<model>","messages":[{"role":"user","content":"Hello"}]}'`}
      </pre>
    </Modal>
  );
}

export default function ApiKeysPage() {
  const { t } = useTranslation();
  const lang = currentLang();
  const qc = useQueryClient();
  const role = useAuth((s) => s.user?.role);
  const canWrite = role === 'admin' || role === 'member';
  const list = useQuery({
    queryKey: ['api-keys'],
    queryFn: () => unwrap(api.GET('/api/api-keys', { params: { query: {} } })),
  });
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<ApiKey | null>(null);
  const [created, setCreated] = useState<Schemas['CreatedApiKeyView'] | null>(null);
  const [budgetFor, setBudgetFor] = useState<ApiKey | null>(null);
  const admin = role === 'admin';
  const rotate = async (k: ApiKey) => {
    if (
      !(await confirm({
        title: t('keys.rotateTitle'),
        body: t('keys.rotateBody', { name: k.name }),
        destructive: true,
        confirmLabel: t('keys.rotate'),
      }))
    )
      return;
    try {
      const r = await unwrap(api.POST('/api/api-keys/{id}/rotate', { params: { path: { id: k.id } } }));
      setCreated(r);
      toast.success(t('keys.rotated', { name: k.name }));
    } catch (e) {
      toast.error((e as Error).message);
    }
    void refresh();
  };
  const refresh = () => qc.invalidateQueries({ queryKey: ['api-keys'] });
  const setEnabled = async (k: ApiKey, enabled: boolean) => {
    try {
      await unwrap(api.PATCH('/api/api-keys/{id}', { params: { path: { id: k.id } }, body: { enabled } }));
      toast.success(enabled ? t('keys.enabled', { name: k.name }) : t('keys.disabled', { name: k.name }));
    } catch (e) {
      toast.error((e as Error).message);
    }
    void refresh();
  };
  const remove = async (k: ApiKey) => {
    if (
      !(await confirm({
        title: t('keys.deleteTitle'),
        body: t('keys.deleteBody', { name: k.name }),
        destructive: true,
        confirmLabel: t('common.delete'),
      }))
    )
      return;
    try {
      await unwrap(api.DELETE('/api/api-keys/{id}', { params: { path: { id: k.id } } }));
      toast.success(t('keys.deleted', { name: k.name }));
    } catch (e) {
      toast.error((e as Error).message);
    }
    void refresh();
  };
  const openNew = () => {
    setEditing(null);
    setFormOpen(true);
  };
  const expired = (k: ApiKey) => !!k.expiresAt && new Date(k.expiresAt) < new Date();
  return (
    <div>
      <PageHeader
        title={t('keys.title')}
        subtitle={t('keys.subtitle')}
        actions={canWrite ? <NewButton onClick={openNew}>{t('keys.create')}</NewButton> : null}
      />
      <QueryState
        query={list}
        empty={
          <EmptyState
            icon={<KeyRound className="size-6" />}
            title={t('keys.emptyTitle')}
            body={t('keys.emptyBody')}
            action={canWrite ? <NewButton onClick={openNew}>{t('keys.create')}</NewButton> : undefined}
          />
        }
      >
        {(keys) => (
          <Card className="overflow-x-auto">
            <table className="w-full min-w-[760px] text-sm">
              <thead>
                <tr className="border-b border-line text-left text-xs text-muted">
                  <th className="px-5 py-3 font-medium">{t('keys.name')}</th>
                  <th className="px-3 py-3 font-medium">{t('keys.models')}</th>
                  <th className="px-3 py-3 font-medium">{t('keys.expiry')}</th>
                  <th className="px-3 py-3 font-medium">{t('keys.lastUsed')}</th>
                  <th className="px-3 py-3 font-medium">{t('common.enabled')}</th>
                  <th className="px-5 py-3" />
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr key={k.id} className="border-b border-line last:border-0" data-testid={`key-${k.name}`}>
                    <td className="px-5 py-3">
                      <div className="font-medium text-fg">{k.name}</div>
                      <div className="font-mono text-xs text-muted">{k.prefix}…</div>
                      {k.scopes?.length ||
                      k.rpmLimit ||
                      k.tpmLimit ||
                      k.allowedIps?.length ||
                      k.memoryEnabled ? (
                        <div className="mt-1 flex flex-wrap gap-1">
                          {k.scopes?.map((sc) => (
                            <Badge key={sc} tone="primary">
                              {t(`keys.scope_${sc}`)}
                            </Badge>
                          ))}
                          {k.rpmLimit ? <Badge>{k.rpmLimit} RPM</Badge> : null}
                          {k.tpmLimit ? <Badge>{formatNumberShort(k.tpmLimit)} TPM</Badge> : null}
                          {k.allowedIps?.length ? (
                            <Badge>{t('keys.ipCount', { count: k.allowedIps.length })}</Badge>
                          ) : null}
                          {k.memoryEnabled ? <Badge tone="success">{t('keys.memory')}</Badge> : null}
                        </div>
                      ) : null}
                    </td>
                    <td className="px-3 py-3">
                      {k.allowedModels?.length ? (
                        <div className="flex flex-wrap gap-1">
                          {k.allowedModels.map((m) => (
                            <Badge key={m}>{m}</Badge>
                          ))}
                        </div>
                      ) : (
                        <span className="text-muted">{t('keys.allModels')}</span>
                      )}
                    </td>
                    <td className="px-3 py-3">
                      {k.expiresAt ? (
                        <Badge tone={expired(k) ? 'danger' : 'neutral'}>
                          {expired(k) ? t('keys.expired') : formatDateTime(k.expiresAt, lang).split(',')[0]}
                        </Badge>
                      ) : (
                        <span className="text-muted">{t('keys.never')}</span>
                      )}
                    </td>
                    <td className="px-3 py-3 text-muted">
                      {k.lastUsedAt ? formatRelative(k.lastUsedAt, lang) : t('keys.neverUsed')}
                    </td>
                    <td className="px-3 py-3">
                      <Switch
                        checked={k.enabled}
                        disabled={!canWrite}
                        onChange={(v) => void setEnabled(k, v)}
                        label={t('common.enabled')}
                      />
                    </td>
                    <RowActions
                      hidden={!canWrite}
                      onEdit={() => {
                        setEditing(k);
                        setFormOpen(true);
                      }}
                      onDelete={() => void remove(k)}
                    >
                      <IconButton label={t('keys.rotate')} onClick={() => void rotate(k)}>
                        <RefreshCw className="size-4" />
                      </IconButton>
                      {admin ? (
                        <IconButton label={t('keys.budget')} onClick={() => setBudgetFor(k)}>
                          <PiggyBank className="size-4" />
                        </IconButton>
                      ) : null}
                    </RowActions>
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        )}
      </QueryState>
      <KeyForm open={formOpen} onClose={() => setFormOpen(false)} editing={editing} onCreated={setCreated} />
      <SecretModal created={created} onClose={() => setCreated(null)} />
      <BudgetForm
        open={!!budgetFor}
        onClose={() => setBudgetFor(null)}
        editing={null}
        preset={budgetFor ? { scope: 'key', scopeId: budgetFor.id, label: budgetFor.name } : undefined}
      />
    </div>
  );
}
