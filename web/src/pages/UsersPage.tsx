import { useState } from 'react';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Building2, Users } from 'lucide-react';
import { api, unwrap, type Schemas } from '../api/client';
import {
  Badge,
  Card,
  EmptyState,
  Field,
  Input,
  NewButton,
  PageHeader,
  RowActions,
  Select,
  Switch,
} from '../components/ui';
import { QueryState } from '../components/QueryState';
import { confirm, DialogFooter, Modal, toast } from '../components/overlays';
import { Tabs } from '../components/Tabs';
import { ApiError } from '../api/client';
import { useAuth } from '../stores/auth';
import { formatRelative } from '../lib/format';
import { currentLang } from '../i18n';

type User = Schemas['UserView'];
type Role = User['role'];
const ROLES: Role[] = ['admin', 'member', 'viewer'];

function UserForm({ open, onClose, editing }: { open: boolean; onClose(): void; editing: User | null }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [seed, setSeed] = useState<string | null>(null);
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [role, setRole] = useState<Role>('member');
  const [tenantId, setTenantId] = useState('');
  const [error, setError] = useState<string | null>(null);
  const tenants = useQuery({
    queryKey: ['tenants'],
    queryFn: () => unwrap(api.GET('/api/tenants')),
    enabled: open,
  });
  const key = open ? (editing?.id ?? 'new') : null;
  if (key !== seed) {
    setSeed(key);
    setError(null);
    setEmail(editing?.email ?? '');
    setPassword('');
    setRole(editing?.role ?? 'member');
    setTenantId(editing?.tenantId ?? '');
  }
  const save = useMutation({
    mutationFn: () =>
      editing
        ? unwrap(
            api.PATCH('/api/users/{id}', {
              params: { path: { id: editing.id } },
              body: {
                role,
                ...(password ? { password } : {}),
                ...(tenantId && tenantId !== editing.tenantId ? { tenantId } : {}),
              },
            }),
          )
        : unwrap(
            api.POST('/api/users', {
              body: {
                email: email.trim(),
                password,
                role,
                ...(tenantId ? { tenantId } : {}),
              },
            }),
          ),
    onSuccess: (u) => {
      toast.success(editing ? t('users.saved', { email: u.email }) : t('users.created', { email: u.email }));
      void qc.invalidateQueries({ queryKey: ['users'] });
      onClose();
    },
    onError: (e: Error) => setError(e.message),
  });
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={editing ? t('users.edit') : t('users.add')}
      footer={
        <DialogFooter
          onCancel={onClose}
          loading={save.isPending}
          disabled={!editing && (!email.trim() || !password)}
          onSubmit={() => {
            setError(null);
            save.mutate();
          }}
          submitLabel={editing ? t('common.save') : t('common.create')}
        />
      }
    >
      <div className="flex flex-col gap-4">
        <Field label={t('auth.email')} htmlFor="u-email">
          <Input
            id="u-email"
            type="email"
            value={email}
            disabled={!!editing}
            onChange={(e) => setEmail(e.target.value)}
            placeholder="jane@example.com"
          />
        </Field>
        <Field
          label={editing ? t('users.newPassword') : t('auth.password')}
          htmlFor="u-pw"
          hint={editing ? t('users.newPasswordHint') : t('auth.passwordHint')}
        >
          <Input
            id="u-pw"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
          />
        </Field>
        <Field label={t('users.role')} htmlFor="u-role" hint={t(`users.roleHint_${role}`)}>
          <Select id="u-role" value={role} onChange={(e) => setRole(e.target.value as Role)}>
            {ROLES.map((r) => (
              <option key={r} value={r}>
                {t(`roles.${r}`)}
              </option>
            ))}
          </Select>
        </Field>
        <Field
          label={t('users.tenant')}
          htmlFor="u-tenant"
          hint={editing ? undefined : t('tenants.defaultHint')}
        >
          <Select id="u-tenant" value={tenantId} onChange={(e) => setTenantId(e.target.value)}>
            {!editing ? <option value="">{t('tenants.defaultTenant')}</option> : null}
            {tenants.data?.map((x) => (
              <option key={x.id} value={x.id}>
                {x.name}
              </option>
            ))}
          </Select>
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

function UsersTab() {
  const { t } = useTranslation();
  const lang = currentLang();
  const qc = useQueryClient();
  const me = useAuth((s) => s.user);
  const list = useQuery({ queryKey: ['users'], queryFn: () => unwrap(api.GET('/api/users')) });
  const tenants = useQuery({ queryKey: ['tenants'], queryFn: () => unwrap(api.GET('/api/tenants')) });
  const tenantName = (id: string) => tenants.data?.find((x) => x.id === id)?.name ?? id.slice(0, 8);
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const refresh = () => qc.invalidateQueries({ queryKey: ['users'] });
  const setDisabled = async (u: User, disabled: boolean) => {
    try {
      await unwrap(api.PATCH('/api/users/{id}', { params: { path: { id: u.id } }, body: { disabled } }));
      toast.success(
        disabled ? t('users.disabledToast', { email: u.email }) : t('users.enabledToast', { email: u.email }),
      );
    } catch (e) {
      toast.error((e as Error).message);
    }
    void refresh();
  };
  const remove = async (u: User) => {
    if (
      !(await confirm({
        title: t('users.deleteTitle'),
        body: t('users.deleteBody', { email: u.email }),
        destructive: true,
        confirmLabel: t('common.delete'),
      }))
    )
      return;
    try {
      await unwrap(api.DELETE('/api/users/{id}', { params: { path: { id: u.id } } }));
      toast.success(t('users.deleted', { email: u.email }));
    } catch (e) {
      toast.error((e as Error).message);
    }
    void refresh();
  };
  const openNew = () => {
    setEditing(null);
    setFormOpen(true);
  };
  return (
    <div>
      <div className="mb-4 flex justify-end">
        <NewButton onClick={openNew}>{t('users.add')}</NewButton>
      </div>
      <QueryState
        query={list}
        empty={
          <EmptyState
            icon={<Users className="size-6" />}
            title={t('users.emptyTitle')}
            body={t('users.emptyBody')}
          />
        }
      >
        {(users) => (
          <Card className="overflow-x-auto">
            <table className="w-full min-w-[680px] text-sm">
              <thead>
                <tr className="border-b border-line text-left text-xs text-muted">
                  <th className="px-5 py-3 font-medium">{t('auth.email')}</th>
                  <th className="px-3 py-3 font-medium">{t('users.role')}</th>
                  <th className="px-3 py-3 font-medium">{t('users.tenant')}</th>
                  <th className="px-3 py-3 font-medium">{t('users.lastLogin')}</th>
                  <th className="px-3 py-3 font-medium">{t('common.enabled')}</th>
                  <th className="px-5 py-3" />
                </tr>
              </thead>
              <tbody>
                {users.map((u) => (
                  <tr key={u.id} className="border-b border-line last:border-0">
                    <td className="px-5 py-3">
                      <div className="flex items-center gap-3">
                        <div className="flex size-8 items-center justify-center rounded-full bg-fill-strong text-xs font-semibold uppercase text-fg">
                          {u.email.slice(0, 1)}
                        </div>
                        <span className="font-medium text-fg">{u.email}</span>
                        {u.id === me?.id ? <Badge tone="primary">{t('users.you')}</Badge> : null}
                      </div>
                    </td>
                    <td className="px-3 py-3">
                      <Badge tone={u.role === 'admin' ? 'primary' : 'neutral'}>{t(`roles.${u.role}`)}</Badge>
                    </td>
                    <td className="px-3 py-3 text-muted">{u.tenantId ? tenantName(u.tenantId) : '—'}</td>
                    <td className="px-3 py-3 text-muted">
                      {u.lastLoginAt ? formatRelative(u.lastLoginAt, lang) : t('users.never')}
                    </td>
                    <td className="px-3 py-3">
                      <Switch
                        checked={!u.disabled}
                        disabled={u.id === me?.id}
                        onChange={(v) => void setDisabled(u, !v)}
                        label={t('common.enabled')}
                      />
                    </td>
                    <RowActions
                      onEdit={() => {
                        setEditing(u);
                        setFormOpen(true);
                      }}
                      onDelete={u.id !== me?.id ? () => void remove(u) : undefined}
                    />
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        )}
      </QueryState>
      <UserForm open={formOpen} onClose={() => setFormOpen(false)} editing={editing} />
    </div>
  );
}

type Tenant = Schemas['TenantView'];

function TenantForm({ open, onClose, editing }: { open: boolean; onClose(): void; editing: Tenant | null }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [seed, setSeed] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const key = open ? (editing?.id ?? 'new') : null;
  if (key !== seed) {
    setSeed(key);
    setError(null);
    setName(editing?.name ?? '');
  }
  const save = useMutation({
    mutationFn: () =>
      editing
        ? unwrap(
            api.PATCH('/api/tenants/{id}', {
              params: { path: { id: editing.id } },
              body: { name: name.trim() },
            }),
          )
        : unwrap(api.POST('/api/tenants', { body: { name: name.trim() } })),
    onSuccess: (x) => {
      toast.success(t('tenants.saved', { name: x.name }));
      void qc.invalidateQueries({ queryKey: ['tenants'] });
      onClose();
    },
    onError: (e: Error) => setError(e.message),
  });
  return (
    <Modal
      open={open}
      onClose={onClose}
      title={editing ? t('tenants.rename') : t('tenants.create')}
      footer={
        <DialogFooter
          onCancel={onClose}
          loading={save.isPending}
          disabled={!name.trim()}
          onSubmit={() => {
            setError(null);
            save.mutate();
          }}
          submitLabel={editing ? t('common.save') : t('common.create')}
        />
      }
    >
      <Field label={t('tenants.name')} htmlFor="t-name" hint={t('tenants.nameHint')}>
        <Input
          id="t-name"
          value={name}
          maxLength={100}
          onChange={(e) => setName(e.target.value)}
          placeholder="Acme"
        />
      </Field>
      {error ? (
        <p className="mt-4 rounded-xl bg-danger/10 px-3 py-2 text-sm text-danger" role="alert">
          {error}
        </p>
      ) : null}
    </Modal>
  );
}

function TenantsTab() {
  const { t } = useTranslation();
  const lang = currentLang();
  const qc = useQueryClient();
  const list = useQuery({ queryKey: ['tenants'], queryFn: () => unwrap(api.GET('/api/tenants')) });
  const [formOpen, setFormOpen] = useState(false);
  const [editing, setEditing] = useState<Tenant | null>(null);
  const remove = async (x: Tenant) => {
    if (
      !(await confirm({
        title: t('tenants.deleteTitle'),
        body: t('tenants.deleteBody', { name: x.name }),
        destructive: true,
        confirmLabel: t('common.delete'),
      }))
    )
      return;
    try {
      await unwrap(api.DELETE('/api/tenants/{id}', { params: { path: { id: x.id } } }));
      toast.success(t('tenants.deleted', { name: x.name }));
    } catch (e) {
      toast.error(
        e instanceof ApiError && e.status === 409
          ? t('tenants.notEmpty', { name: x.name })
          : (e as Error).message,
      );
    }
    void qc.invalidateQueries({ queryKey: ['tenants'] });
  };
  const openNew = () => {
    setEditing(null);
    setFormOpen(true);
  };
  return (
    <div>
      <div className="mb-4 flex justify-end">
        <NewButton onClick={openNew}>{t('tenants.create')}</NewButton>
      </div>
      <QueryState
        query={list}
        empty={
          <EmptyState
            icon={<Building2 className="size-6" />}
            title={t('tenants.emptyTitle')}
            body={t('tenants.emptyBody')}
          />
        }
      >
        {(tenants) => (
          <Card className="overflow-x-auto">
            <table className="w-full min-w-[520px] text-sm">
              <thead>
                <tr className="border-b border-line text-left text-xs text-muted">
                  <th className="px-5 py-3 font-medium">{t('tenants.name')}</th>
                  <th className="px-3 py-3 font-medium">{t('tenants.users')}</th>
                  <th className="px-3 py-3 font-medium">{t('tenants.created')}</th>
                  <th className="px-5 py-3" />
                </tr>
              </thead>
              <tbody>
                {tenants.map((x) => (
                  <tr
                    key={x.id}
                    className="border-b border-line last:border-0"
                    data-testid={`tenant-${x.name}`}
                  >
                    <td className="px-5 py-3 font-medium text-fg">{x.name}</td>
                    <td className="px-3 py-3 tabular-nums">{x.users}</td>
                    <td className="px-3 py-3 text-muted">{formatRelative(x.createdAt, lang)}</td>
                    <RowActions
                      editLabel={t('tenants.rename')}
                      onEdit={() => {
                        setEditing(x);
                        setFormOpen(true);
                      }}
                      onDelete={() => void remove(x)}
                    />
                  </tr>
                ))}
              </tbody>
            </table>
          </Card>
        )}
      </QueryState>
      <TenantForm open={formOpen} onClose={() => setFormOpen(false)} editing={editing} />
    </div>
  );
}

export default function UsersPage() {
  const { t } = useTranslation();
  const [tab, setTab] = useState<'users' | 'tenants'>('users');
  return (
    <div>
      <PageHeader title={t('users.title')} subtitle={t('users.subtitle')} />
      <Tabs<'users' | 'tenants'>
        value={tab}
        onChange={setTab}
        items={[
          { id: 'users', label: t('users.tabUsers') },
          { id: 'tenants', label: t('users.tabTenants') },
        ]}
      />
      {tab === 'users' ? <UsersTab /> : <TenantsTab />}
    </div>
  );
}
