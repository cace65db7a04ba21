import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api, unwrap } from '../api/client';
import { Field, Input, Select, Switch } from './ui';
import { DialogFooter, Modal, toast } from './overlays';
import { useDialogForm } from './useDialogForm';

export type BudgetScope = 'key' | 'user' | 'tenant';
export type BudgetPeriod = 'daily' | 'weekly' | 'monthly' | 'total';

/** A budget as `/api/budgets` returns it (the OpenAPI document only carries an example for it). */
export interface Budget {
  id: string;
  scope: BudgetScope;
  scopeId: string;
  scopeName: string | null;
  tenantId: string | null;
  period: BudgetPeriod;
  amountUsd: number;
  thresholds: number[];
  enabled: boolean;
  periodStart: string | null;
  periodEnd: string | null;
  spentUsd: number;
  reservedUsd: number;
  remainingUsd: number;
}

export interface BudgetDraft {
  scope: BudgetScope;
  scopeId: string;
  period: BudgetPeriod;
  amount: string;
  thresholds: string;
  enabled: boolean;
}

/**
 * Validates a budget form. Returns the i18n keys of the problems by field (empty when valid) and the
 * parsed values: amount a non-negative number with at most 6 decimals, thresholds a comma list of
 * whole percentages 1–99 (at most 10).
 */
export function validateBudget(d: BudgetDraft): {
  errors: Partial<Record<'scopeId' | 'amount' | 'thresholds', string>>;
  amountUsd: number;
  thresholds: number[];
} {
  const errors: Partial<Record<'scopeId' | 'amount' | 'thresholds', string>> = {};
  if (!d.scopeId) errors.scopeId = 'budgets.errScope';
  const amountUsd = Number(d.amount);
  if (d.amount.trim() === '' || !Number.isFinite(amountUsd) || amountUsd < 0 || amountUsd > 100_000_000)
    errors.amount = 'budgets.errAmount';
  const parts = d.thresholds
    .split(/[,\s]+/)
    .map((s) => s.trim().replace(/%$/, ''))
    .filter(Boolean);
  const thresholds = parts.map(Number);
  if (parts.length > 10 || thresholds.some((n) => !Number.isInteger(n) || n < 1 || n > 99))
    errors.thresholds = 'budgets.errThresholds';
  return { errors, amountUsd, thresholds: [...new Set(thresholds)].sort((a, b) => a - b) };
}

export function BudgetForm({
  open,
  onClose,
  editing,
  preset,
}: {
  open: boolean;
  onClose(): void;
  editing: Budget | null;
  /** Fixed scope for a shortcut (e.g. "budget for this key"). */
  preset?: { scope: BudgetScope; scopeId: string; label: string };
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
    key: editing?.id ?? `new:${preset?.scopeId ?? ''}`,
    init: (): BudgetDraft => ({
      scope: editing?.scope ?? preset?.scope ?? 'key',
      scopeId: editing?.scopeId ?? preset?.scopeId ?? '',
      period: editing?.period ?? 'monthly',
      amount: editing ? String(editing.amountUsd) : '',
      thresholds: editing ? editing.thresholds.join(', ') : '50, 80',
      enabled: editing?.enabled ?? true,
    }),
    validate: (d) => validateBudget(d).errors,
  });
  const pick = !editing && !preset;
  const keys = useQuery({
    queryKey: ['api-keys'],
    queryFn: () => unwrap(api.GET('/api/api-keys', { params: { query: {} } })),
    enabled: open && pick && draft.scope === 'key',
  });
  const users = useQuery({
    queryKey: ['users'],
    queryFn: () => unwrap(api.GET('/api/users')),
    enabled: open && pick && draft.scope === 'user',
  });
  const tenants = useQuery({
    queryKey: ['tenants'],
    queryFn: () => unwrap(api.GET('/api/tenants')),
    enabled: open && pick && draft.scope === 'tenant',
  });
  const options: { id: string; label: string }[] =
    draft.scope === 'key'
      ? (keys.data ?? []).map((k) => ({ id: k.id, label: k.name }))
      : draft.scope === 'user'
        ? (users.data ?? []).map((u) => ({ id: u.id, label: u.email }))
        : (tenants.data ?? []).map((x) => ({ id: x.id, label: x.name }));
  const save = useMutation({
    mutationFn: async () => {
      const v = validateBudget(draft);
      if (editing) {
        return unwrap(
          api.PATCH('/api/budgets/{id}', {
            params: { path: { id: editing.id } },
            body: {
              amountUsd: v.amountUsd,
              period: draft.period,
              thresholds: v.thresholds as unknown as string[], // the OpenAPI document types the array loosely
              enabled: draft.enabled,
            },
          }),
        );
      }
      return unwrap(
        api.POST('/api/budgets', {
          body: {
            scope: draft.scope,
            scopeId: draft.scopeId,
            period: draft.period,
            amountUsd: v.amountUsd,
            thresholds: v.thresholds as unknown as string[], // the OpenAPI document types the array loosely
            enabled: draft.enabled,
          },
        }),
      );
    },
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['budgets'] });
      toast.success(t('budgets.saved'));
      onClose();
    },
    onError: (e: Error) => setError(e.message),
  });
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={editing ? t('budgets.edit') : t('budgets.create')}
      footer={
        <DialogFooter
          onCancel={onClose}
          loading={save.isPending}
          onSubmit={() => submit(() => save.mutate())}
        />
      }
    >
      <div className="flex flex-col gap-4">
        {pick ? (
          <>
            <Field label={t('budgets.scope')} htmlFor="b-scope">
              <Select
                id="b-scope"
                value={draft.scope}
                onChange={(e) => set({ scope: e.target.value as BudgetScope, scopeId: '' })}
              >
                <option value="key">{t('budgets.scope_key')}</option>
                <option value="user">{t('budgets.scope_user')}</option>
                <option value="tenant">{t('budgets.scope_tenant')}</option>
              </Select>
            </Field>
            <Field label={t('budgets.target')} htmlFor="b-target" error={err('scopeId')}>
              <Select id="b-target" value={draft.scopeId} onChange={(e) => set({ scopeId: e.target.value })}>
                <option value="">{t('common.select')}</option>
                {options.map((o) => (
                  <option key={o.id} value={o.id}>
                    {o.label}
                  </option>
                ))}
              </Select>
            </Field>
          </>
        ) : (
          <p className="rounded-xl bg-fill px-3 py-2 text-sm text-fg">
            {t(`budgets.scope_${editing?.scope ?? preset?.scope ?? 'key'}`)}:{' '}
            <strong>{editing?.scopeName ?? editing?.scopeId ?? preset?.label}</strong>
          </p>
        )}
        <div className="grid gap-4 sm:grid-cols-2">
          <Field label={t('budgets.amount')} htmlFor="b-amount" error={err('amount')}>
            <Input
              id="b-amount"
              inputMode="decimal"
              value={draft.amount}
              placeholder="50"
              onChange={(e) => set({ amount: e.target.value })}
            />
          </Field>
          <Field label={t('budgets.period')} htmlFor="b-period">
            <Select
              id="b-period"
              value={draft.period}
              onChange={(e) => set({ period: e.target.value as BudgetPeriod })}
            >
              {(['daily', 'weekly', 'monthly', 'total'] as const).map((p) => (
                <option key={p} value={p}>
                  {t(`budgets.period_${p}`)}
                </option>
              ))}
            </Select>
          </Field>
        </div>
        <Field
          label={t('budgets.thresholds')}
          htmlFor="b-thr"
          hint={t('budgets.thresholdsHint')}
          error={err('thresholds')}
        >
          <Input id="b-thr" value={draft.thresholds} onChange={(e) => set({ thresholds: e.target.value })} />
        </Field>
        <div className="flex items-center justify-between">
          <span className="text-sm text-fg">{t('common.enabled')}</span>
          <Switch checked={draft.enabled} onChange={(x) => set({ enabled: x })} label={t('common.enabled')} />
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
