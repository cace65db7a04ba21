import { useState } from 'react';
import { Link } from 'react-router-dom';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { ChevronDown, Pencil, Plus, Route as RouteIcon, Trash2 } from 'lucide-react';
import { motion, AnimatePresence } from 'framer-motion';
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
} from '../components/ui';
import { QueryState } from '../components/QueryState';
import { confirm, DialogFooter, Modal, toast } from '../components/overlays';
import { isAdmin, useAuth } from '../stores/auth';
import { cx } from '../lib/format';
import { TryIt } from './TryIt';

type Model = Schemas['ModelView'];
type RouteView = Schemas['RouteView'];
type Strategy = Model['strategy'];
const STRATEGIES: Strategy[] = ['weighted-random', 'priority', 'round-robin', 'least-latency', 'lowest-cost'];
const FLAGS = ['supportsTools', 'supportsStructuredOutput', 'supportsVision', 'headerPassthrough'] as const;
type Flag = (typeof FLAGS)[number];

interface RouteDraft {
  providerId: string;
  upstreamModel: string;
  weight: string;
  priority: string;
  cost: string;
  flags: Record<Flag, boolean>;
}

const newRoute = (providerId = ''): RouteDraft => ({
  providerId,
  upstreamModel: '',
  weight: '1',
  priority: '0',
  cost: '0',
  flags: {
    supportsTools: true,
    supportsStructuredOutput: true,
    supportsVision: false,
    headerPassthrough: false,
  },
});

function routeBody(r: RouteDraft): Schemas['RouteInputDto'] {
  return {
    providerId: r.providerId,
    upstreamModel: r.upstreamModel.trim(),
    weight: Number(r.weight) || 0,
    priority: Number(r.priority) || 0,
    cost: Number(r.cost) || 0,
    ...r.flags,
  };
}

function RouteFields({
  r,
  onChange,
  providers,
  idx,
}: {
  r: RouteDraft;
  onChange(r: RouteDraft): void;
  providers: Schemas['ProviderView'][];
  idx: number;
}) {
  const { t } = useTranslation();
  return (
    <div className="grid gap-3 sm:grid-cols-[1.2fr_1.4fr_0.6fr_0.6fr]">
      <Field label={t('models.provider')} htmlFor={`r-p-${idx}`}>
        <Select
          id={`r-p-${idx}`}
          value={r.providerId}
          onChange={(e) => onChange({ ...r, providerId: e.target.value })}
        >
          <option value="">{t('models.chooseProvider')}</option>
          {providers.map((p) => (
            <option key={p.id} value={p.id}>
              {p.name}
            </option>
          ))}
        </Select>
      </Field>
      <Field label={t('models.upstreamModel')} htmlFor={`r-m-${idx}`}>
        <Input
          id={`r-m-${idx}`}
          value={r.upstreamModel}
          onChange={(e) => onChange({ ...r, upstreamModel: e.target.value })}
          placeholder="gpt-4o-mini"
        />
      </Field>
      <Field label={t('models.weight')} htmlFor={`r-w-${idx}`}>
        <Input
          id={`r-w-${idx}`}
          type="number"
          min={0}
          value={r.weight}
          onChange={(e) => onChange({ ...r, weight: e.target.value })}
        />
      </Field>
      <Field label={t('models.priority')} htmlFor={`r-pr-${idx}`}>
        <Input
          id={`r-pr-${idx}`}
          type="number"
          value={r.priority}
          onChange={(e) => onChange({ ...r, priority: e.target.value })}
        />
      </Field>
      <div className="flex flex-wrap gap-x-4 gap-y-2 sm:col-span-4">
        {FLAGS.map((f) => (
          <Checkbox
            key={f}
            id={`r-${f}-${idx}`}
            label={t(`models.flag_${f}`)}
            checked={r.flags[f]}
            onChange={(v) => onChange({ ...r, flags: { ...r.flags, [f]: v } })}
          />
        ))}
      </div>
    </div>
  );
}

interface ModelDraft {
  name: string;
  type: Model['type'];
  description: string;
  strategy: Strategy;
  maxAttempts: string;
  sticky: boolean;
  stickyTtlSeconds: string;
  enabled: boolean;
}

function ModelForm({
  open,
  onClose,
  editing,
  providers,
}: {
  open: boolean;
  onClose(): void;
  editing: Model | null;
  providers: Schemas['ProviderView'][];
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [seed, setSeed] = useState<string | null>(null);
  const [m, setM] = useState<ModelDraft>({
    name: '',
    type: 'chat',
    description: '',
    strategy: 'weighted-random',
    maxAttempts: '3',
    sticky: false,
    stickyTtlSeconds: '3600',
    enabled: true,
  });
  const [routes, setRoutes] = useState<RouteDraft[]>([]);
  const [error, setError] = useState<string | null>(null);
  const key = open ? (editing?.id ?? 'new') : null;
  if (key !== seed) {
    setSeed(key);
    setError(null);
    setM(
      editing
        ? {
            name: editing.name,
            type: editing.type,
            description: editing.description ?? '',
            strategy: editing.strategy,
            maxAttempts: String(editing.maxAttempts),
            sticky: editing.sticky,
            stickyTtlSeconds: String(editing.stickyTtlSeconds),
            enabled: editing.enabled,
          }
        : {
            name: '',
            type: 'chat',
            description: '',
            strategy: 'weighted-random',
            maxAttempts: '3',
            sticky: false,
            stickyTtlSeconds: '3600',
            enabled: true,
          },
    );
    setRoutes(editing ? [] : [newRoute(providers[0]?.id)]);
  }
  const set = <K extends keyof ModelDraft>(k: K, v: ModelDraft[K]) => setM((s) => ({ ...s, [k]: v }));
  const save = useMutation({
    mutationFn: () => {
      const body = {
        name: m.name.trim(),
        type: m.type,
        description: m.description.trim() || undefined,
        strategy: m.strategy,
        maxAttempts: Number(m.maxAttempts) || 1,
        sticky: m.sticky,
        stickyTtlSeconds: Number(m.stickyTtlSeconds) || 3600,
        enabled: m.enabled,
      };
      if (editing)
        return unwrap(api.PATCH('/api/models/{id}', { params: { path: { id: editing.id } }, body }));
      return unwrap(
        api.POST('/api/models', {
          body: {
            ...body,
            routes: routes.filter((r) => r.providerId && r.upstreamModel.trim()).map(routeBody),
          },
        }),
      );
    },
    onSuccess: (x) => {
      toast.success(editing ? t('models.saved', { name: x.name }) : t('models.created', { name: x.name }));
      void qc.invalidateQueries({ queryKey: ['models'] });
      onClose();
    },
    onError: (e: Error) => setError(e.message),
  });
  return (
    <Modal
      open={open}
      onClose={onClose}
      wide
      title={editing ? t('models.edit') : t('models.add')}
      footer={
        <DialogFooter
          onCancel={onClose}
          loading={save.isPending}
          disabled={!m.name.trim()}
          onSubmit={() => {
            setError(null);
            save.mutate();
          }}
          submitLabel={editing ? t('common.save') : t('common.create')}
        />
      }
    >
      <div className="grid gap-4 sm:grid-cols-2">
        <Field label={t('models.name')} htmlFor="m-name" hint={t('models.nameHint')}>
          <Input
            id="m-name"
            value={m.name}
            onChange={(e) => set('name', e.target.value)}
            placeholder="gpt-4o"
          />
        </Field>
        <Field label={t('models.type')} htmlFor="m-type">
          <Select id="m-type" value={m.type} onChange={(e) => set('type', e.target.value as Model['type'])}>
            <option value="chat">{t('models.type_chat')}</option>
            <option value="embedding">{t('models.type_embedding')}</option>
          </Select>
        </Field>
        <Field
          label={t('models.strategy')}
          htmlFor="m-strategy"
          hint={t(`models.strategyHint_${m.strategy}`)}
        >
          <Select
            id="m-strategy"
            value={m.strategy}
            onChange={(e) => set('strategy', e.target.value as Strategy)}
          >
            {STRATEGIES.map((s) => (
              <option key={s} value={s}>
                {t(`models.strategy_${s}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field label={t('models.maxAttempts')} htmlFor="m-attempts" hint={t('models.maxAttemptsHint')}>
          <Input
            id="m-attempts"
            type="number"
            min={1}
            max={10}
            value={m.maxAttempts}
            onChange={(e) => set('maxAttempts', e.target.value)}
          />
        </Field>
        <div className="sm:col-span-2">
          <Field label={t('models.description')} htmlFor="m-desc">
            <Input id="m-desc" value={m.description} onChange={(e) => set('description', e.target.value)} />
          </Field>
        </div>
        <div className="flex items-center gap-3">
          <Switch checked={m.sticky} onChange={(v) => set('sticky', v)} label={t('models.sticky')} />
          <span className="text-sm text-fg">{t('models.sticky')}</span>
          {m.sticky ? (
            <div className="w-28">
              <Input
                aria-label={t('models.stickyTtl')}
                type="number"
                min={1}
                className="h-8"
                value={m.stickyTtlSeconds}
                onChange={(e) => set('stickyTtlSeconds', e.target.value)}
              />
            </div>
          ) : null}
        </div>
        <div className="flex items-center gap-3">
          <Switch checked={m.enabled} onChange={(v) => set('enabled', v)} label={t('common.enabled')} />
          <span className="text-sm text-fg">{t('common.enabled')}</span>
        </div>
      </div>
      {!editing ? (
        <div className="mt-6 border-t border-line pt-5">
          <div className="mb-3 flex items-center justify-between">
            <h3 className="text-sm font-semibold text-fg">{t('models.routes')}</h3>
            <Button
              size="sm"
              variant="secondary"
              icon={<Plus className="size-3.5" />}
              onClick={() => setRoutes((rs) => [...rs, newRoute(providers[0]?.id)])}
            >
              {t('models.addRoute')}
            </Button>
          </div>
          {providers.length === 0 ? <p className="text-sm text-muted">{t('models.needProvider')}</p> : null}
          <div className="flex flex-col gap-3">
            {routes.map((r, i) => (
              <div key={i} className="relative rounded-2xl bg-fill p-4" data-testid={`route-draft-${i}`}>
                <RouteFields
                  r={r}
                  idx={i}
                  providers={providers}
                  onChange={(nr) => setRoutes((rs) => rs.map((x, j) => (j === i ? nr : x)))}
                />
                <IconButton
                  label={t('models.removeRoute')}
                  className="absolute right-2 top-2"
                  onClick={() => setRoutes((rs) => rs.filter((_, j) => j !== i))}
                >
                  <Trash2 className="size-4" />
                </IconButton>
              </div>
            ))}
          </div>
        </div>
      ) : null}
      {error ? (
        <p className="mt-4 rounded-xl bg-danger/10 px-3 py-2 text-sm text-danger" role="alert">
          {error}
        </p>
      ) : null}
    </Modal>
  );
}

function RouteRow({ r, admin }: { r: RouteView; admin: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const patch = async (body: Schemas['UpdateRouteDto']) => {
    try {
      await unwrap(api.PATCH('/api/model-routes/{id}', { params: { path: { id: r.id } }, body }));
    } catch (e) {
      toast.error((e as Error).message);
    }
    void qc.invalidateQueries({ queryKey: ['models'] });
  };
  const remove = async () => {
    if (
      !(await confirm({
        title: t('models.removeRoute'),
        body: t('models.removeRouteBody', { provider: r.providerName, model: r.upstreamModel }),
        destructive: true,
        confirmLabel: t('common.delete'),
      }))
    )
      return;
    try {
      await unwrap(api.DELETE('/api/model-routes/{id}', { params: { path: { id: r.id } } }));
      toast.success(t('models.routeRemoved'));
    } catch (e) {
      toast.error((e as Error).message);
    }
    void qc.invalidateQueries({ queryKey: ['models'] });
  };
  const num = (field: 'weight' | 'priority' | 'cost', v: string) => {
    const n = Number(v);
    if (Number.isFinite(n) && n !== r[field]) void patch({ [field]: n });
  };
  return (
    <tr className="border-t border-line">
      <td className="py-2.5 pr-3">
        <div className="font-medium text-fg">{r.providerName}</div>
        <div className="font-mono text-xs text-muted">{r.upstreamModel}</div>
      </td>
      <td className="py-2.5 pr-3">
        {admin ? (
          <div className="w-20">
            <Input
              aria-label={t('models.weight')}
              type="number"
              min={0}
              defaultValue={r.weight}
              className="h-8"
              onBlur={(e) => num('weight', e.target.value)}
            />
          </div>
        ) : (
          r.weight
        )}
      </td>
      <td className="py-2.5 pr-3">
        {admin ? (
          <div className="w-20">
            <Input
              aria-label={t('models.priority')}
              type="number"
              defaultValue={r.priority}
              className="h-8"
              onBlur={(e) => num('priority', e.target.value)}
            />
          </div>
        ) : (
          r.priority
        )}
      </td>
      <td className="py-2.5 pr-3">
        <div className="flex flex-wrap gap-1">
          {FLAGS.map((f) => (
            <button
              key={f}
              type="button"
              disabled={!admin}
              aria-pressed={r[f]}
              onClick={() => void patch({ [f]: !r[f] })}
              className={cx(
                'rounded-full px-2 py-0.5 text-[11px] font-medium transition-colors',
                r[f] ? 'bg-primary/12 text-primary' : 'bg-fill text-muted line-through decoration-1',
              )}
              title={t(`models.flag_${f}`)}
            >
              {t(`models.flagShort_${f}`)}
            </button>
          ))}
        </div>
      </td>
      <td className="py-2.5 pr-3">
        <Switch
          checked={r.enabled}
          disabled={!admin}
          onChange={(v) => void patch({ enabled: v })}
          label={t('common.enabled')}
        />
      </td>
      <td className="py-2.5 text-right">
        {admin ? (
          <IconButton label={t('models.removeRoute')} onClick={() => void remove()}>
            <Trash2 className="size-4" />
          </IconButton>
        ) : null}
      </td>
    </tr>
  );
}

function AddRoute({ model, providers }: { model: Model; providers: Schemas['ProviderView'][] }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [r, setR] = useState<RouteDraft>(newRoute(providers[0]?.id));
  const add = useMutation({
    mutationFn: () => unwrap(api.POST('/api/model-routes', { body: { ...routeBody(r), modelId: model.id } })),
    onSuccess: () => {
      toast.success(t('models.routeAdded'));
      setOpen(false);
      setR(newRoute(providers[0]?.id));
      void qc.invalidateQueries({ queryKey: ['models'] });
    },
    onError: (e: Error) => toast.error(e.message),
  });
  if (!open)
    return (
      <Button
        size="sm"
        variant="secondary"
        icon={<Plus className="size-3.5" />}
        onClick={() => setOpen(true)}
      >
        {t('models.addRoute')}
      </Button>
    );
  return (
    <form
      className="rounded-2xl bg-fill p-4"
      onSubmit={(e) => {
        e.preventDefault();
        add.mutate();
      }}
    >
      <RouteFields r={r} idx={999} providers={providers} onChange={setR} />
      <div className="mt-3 flex justify-end gap-2">
        <Button size="sm" variant="ghost" onClick={() => setOpen(false)}>
          {t('common.cancel')}
        </Button>
        <Button
          size="sm"
          type="submit"
          loading={add.isPending}
          disabled={!r.providerId || !r.upstreamModel.trim()}
        >
          {t('common.add')}
        </Button>
      </div>
    </form>
  );
}

function ModelCard({
  m,
  admin,
  providers,
  onEdit,
}: {
  m: Model;
  admin: boolean;
  providers: Schemas['ProviderView'][];
  onEdit(): void;
}) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [open, setOpen] = useState(true);
  const toggle = async (enabled: boolean) => {
    try {
      await unwrap(api.PATCH('/api/models/{id}', { params: { path: { id: m.id } }, body: { enabled } }));
    } catch (e) {
      toast.error((e as Error).message);
    }
    void qc.invalidateQueries({ queryKey: ['models'] });
  };
  const remove = async () => {
    if (
      !(await confirm({
        title: t('models.deleteTitle'),
        body: t('models.deleteBody', { name: m.name }),
        destructive: true,
        confirmLabel: t('common.delete'),
      }))
    )
      return;
    try {
      await unwrap(api.DELETE('/api/models/{id}', { params: { path: { id: m.id } } }));
      toast.success(t('models.deleted', { name: m.name }));
    } catch (e) {
      toast.error((e as Error).message);
    }
    void qc.invalidateQueries({ queryKey: ['models'] });
  };
  return (
    <Card className="p-5" data-testid={`model-${m.name}`}>
      <div className="flex flex-wrap items-center gap-3">
        <button
          type="button"
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
          className="flex min-w-0 flex-1 items-center gap-3 text-left"
        >
          <ChevronDown
            className={cx('size-4 shrink-0 text-muted transition-transform', !open && '-rotate-90')}
          />
          <div className="min-w-0">
            <h3 className="truncate text-[15px] font-semibold text-fg">{m.name}</h3>
            {m.description ? <p className="truncate text-xs text-muted">{m.description}</p> : null}
          </div>
        </button>
        <div className="flex flex-wrap items-center gap-1.5">
          <Badge tone="primary">{t(`models.type_${m.type}`)}</Badge>
          <Badge>{t(`models.strategy_${m.strategy}`)}</Badge>
          <Badge>{t('models.attemptsN', { count: m.maxAttempts })}</Badge>
          {m.sticky ? <Badge>{t('models.sticky')}</Badge> : null}
          <Badge>{t('models.routesN', { count: m.routes.length })}</Badge>
        </div>
        {admin ? (
          <div className="flex items-center gap-1">
            <Switch checked={m.enabled} onChange={(v) => void toggle(v)} label={t('common.enabled')} />
            <IconButton label={t('common.edit')} onClick={onEdit}>
              <Pencil className="size-4" />
            </IconButton>
            <IconButton label={t('common.delete')} onClick={() => void remove()}>
              <Trash2 className="size-4" />
            </IconButton>
          </div>
        ) : null}
      </div>
      <AnimatePresence initial={false}>
        {open ? (
          <motion.div
            initial={{ height: 0, opacity: 0 }}
            animate={{ height: 'auto', opacity: 1 }}
            exit={{ height: 0, opacity: 0 }}
            transition={{ duration: 0.18 }}
            className="overflow-hidden"
          >
            <div className="mt-4 overflow-x-auto">
              {m.routes.length ? (
                <table className="w-full min-w-[640px] text-sm">
                  <thead>
                    <tr className="text-left text-xs text-muted">
                      <th className="pb-2 font-medium">{t('models.route')}</th>
                      <th className="pb-2 font-medium">{t('models.weight')}</th>
                      <th className="pb-2 font-medium">{t('models.priority')}</th>
                      <th className="pb-2 font-medium">{t('models.capabilities')}</th>
                      <th className="pb-2 font-medium">{t('common.enabled')}</th>
                      <th />
                    </tr>
                  </thead>
                  <tbody>
                    {[...m.routes]
                      .sort((a, b) => b.priority - a.priority || b.weight - a.weight)
                      .map((r) => (
                        <RouteRow key={r.id} r={r} admin={admin} />
                      ))}
                  </tbody>
                </table>
              ) : (
                <p className="py-2 text-sm text-muted">{t('models.noRoutes')}</p>
              )}
            </div>
            {admin ? (
              <div className="mt-3">
                <AddRoute model={m} providers={providers} />
              </div>
            ) : null}
          </motion.div>
        ) : null}
      </AnimatePresence>
    </Card>
  );
}

export default function ModelsPage() {
  const { t } = useTranslation();
  const admin = isAdmin(useAuth((s) => s.user));
  const models = useQuery({ queryKey: ['models'], queryFn: () => unwrap(api.GET('/api/models')) });
  const providers = useQuery({ queryKey: ['providers'], queryFn: () => unwrap(api.GET('/api/providers')) });
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Model | null>(null);
  const provs = providers.data ?? [];
  const openNew = () => {
    setEditing(null);
    setFormOpen(true);
  };
  return (
    <div>
      <PageHeader
        title={t('models.title')}
        subtitle={t('models.subtitle')}
        actions={admin ? <NewButton onClick={openNew}>{t('models.add')}</NewButton> : null}
      />
      <div className="flex flex-col gap-4">
        <QueryState
          query={models}
          empty={
            <EmptyState
              icon={<RouteIcon className="size-6" />}
              title={t('models.emptyTitle')}
              body={provs.length ? t('models.emptyBody') : t('models.emptyBodyNoProvider')}
              action={
                provs.length ? (
                  admin ? (
                    <NewButton onClick={openNew}>{t('models.add')}</NewButton>
                  ) : undefined
                ) : (
                  <Link to="/providers">
                    <Button>{t('dashboard.addProvider')}</Button>
                  </Link>
                )
              }
            />
          }
        >
          {(rows) =>
            rows.map((m) => (
              <ModelCard
                key={m.id}
                m={m}
                admin={admin}
                providers={provs}
                onEdit={() => {
                  setEditing(m);
                  setFormOpen(true);
                }}
              />
            ))
          }
        </QueryState>
        {models.data?.length ? <TryIt models={models.data} /> : null}
      </div>
      <ModelForm open={formOpen} onClose={() => setFormOpen(false)} editing={editing} providers={provs} />
    </div>
  );
}
