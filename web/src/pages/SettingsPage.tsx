import { useRef, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { Download, RotateCw, Upload } from 'lucide-react';
import { api, download, unwrap, type Schemas } from '../api/client';
import { Button, Card, Checkbox, Field, Input } from '../components/ui';
import { confirm, toast } from '../components/overlays';
import { PageHeader } from '../components/ui';
import { isAdmin, useAuth } from '../stores/auth';
import { LanguageToggle, ThemeSwitcher } from '../layout/AppShell';
import { signOut } from '../lib/session';
import { useNavigate } from 'react-router-dom';

function Section({ title, body, children }: { title: string; body?: string; children: React.ReactNode }) {
  return (
    <Card className="p-6">
      <h2 className="text-[17px] font-semibold text-fg">{title}</h2>
      {body ? <p className="mt-1 text-sm text-muted">{body}</p> : null}
      <div className="mt-5">{children}</div>
    </Card>
  );
}

function ConfigTransfer() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [secrets, setSecrets] = useState(false);
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<Schemas['ImportResultView'] | null>(null);
  const file = useRef<HTMLInputElement>(null);
  const importer = useMutation({
    mutationFn: async (f: File) => {
      let doc: Schemas['ConfigDocument'];
      try {
        const parsed = JSON.parse(await f.text()) as
          Schemas['ConfigDocument'] | { config: Schemas['ConfigDocument'] };
        doc = 'config' in parsed ? parsed.config : parsed;
      } catch {
        throw new Error(t('settings.badFile'));
      }
      return unwrap(api.POST('/api/config/import', { body: { config: doc, mode: 'merge' } }));
    },
    onSuccess: (r) => {
      setResult(r);
      toast.success(t('settings.imported'));
      void qc.invalidateQueries();
    },
    onError: (e: Error) => toast.error(e.message),
  });
  return (
    <Section title={t('settings.configTitle')} body={t('settings.configBody')}>
      <div className="flex flex-col gap-4">
        <div className="flex flex-wrap items-center gap-4">
          <Button
            variant="secondary"
            icon={<Download className="size-4" />}
            loading={busy}
            onClick={async () => {
              setBusy(true);
              try {
                await download(
                  `/api/config/export${secrets ? '?includeSecrets=true' : ''}`,
                  `llm-router-config-${new Date().toISOString().slice(0, 10)}.json`,
                );
              } catch (e) {
                toast.error((e as Error).message);
              } finally {
                setBusy(false);
              }
            }}
          >
            {t('settings.export')}
          </Button>
          <Checkbox
            id="exp-secrets"
            label={t('settings.includeSecrets')}
            checked={secrets}
            onChange={setSecrets}
          />
        </div>
        <div className="flex flex-wrap items-center gap-4 border-t border-line pt-4">
          <input
            ref={file}
            type="file"
            accept="application/json,.json"
            className="hidden"
            aria-label={t('settings.import')}
            onChange={async (e) => {
              const f = e.target.files?.[0];
              e.target.value = '';
              if (!f) return;
              if (
                await confirm({
                  title: t('settings.importTitle'),
                  body: t('settings.importConfirm', { name: f.name }),
                  confirmLabel: t('settings.import'),
                })
              )
                importer.mutate(f);
            }}
          />
          <Button
            variant="secondary"
            icon={<Upload className="size-4" />}
            loading={importer.isPending}
            onClick={() => file.current?.click()}
          >
            {t('settings.import')}
          </Button>
          <span className="text-xs text-muted">{t('settings.importHint')}</span>
        </div>
        {result ? (
          <div className="rounded-2xl bg-fill p-4 text-sm text-fg" role="status">
            {t('settings.importResult', result)}
            {result.warnings.length ? (
              <ul className="mt-2 list-disc pl-5 text-xs text-warning">
                {result.warnings.map((w) => (
                  <li key={w}>{w}</li>
                ))}
              </ul>
            ) : null}
          </div>
        ) : null}
      </div>
    </Section>
  );
}

function ChangePassword() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useMutation({
    mutationFn: () =>
      unwrap(api.PATCH('/api/auth/password', { body: { currentPassword: current, newPassword: next } })),
    onSuccess: async () => {
      toast.success(t('settings.passwordChanged'));
      await signOut();
      navigate('/login', { replace: true });
    },
    onError: (e: Error) => toast.error(e.message),
  });
  return (
    <form
      className="grid gap-4 sm:grid-cols-[1fr_1fr_auto] sm:items-end"
      onSubmit={(e) => {
        e.preventDefault();
        change.mutate();
      }}
    >
      <Field label={t('settings.currentPassword')} htmlFor="pw-cur">
        <Input
          id="pw-cur"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
        />
      </Field>
      <Field label={t('settings.newPassword')} htmlFor="pw-new">
        <Input
          id="pw-new"
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
        />
      </Field>
      <Button type="submit" loading={change.isPending} disabled={!current || !next}>
        {t('settings.changePassword')}
      </Button>
    </form>
  );
}

/**
 * Server settings shown on this page: environment variables the server reads once at start-up
 * (src/config/env.validation.ts). No API exposes the values in effect, so only the variables and
 * their defaults (as in .env.example) are listed.
 */
export const SERVER_ENV = {
  logRetention: [{ name: 'LOG_RETENTION_DAYS', default: '30' }],
  logBodies: [
    { name: 'LOG_BODIES', default: 'false' },
    { name: 'LOG_BODY_MAX_BYTES', default: '16384' },
  ],
  healthInterval: [{ name: 'HEALTH_CHECK_INTERVAL_MS', default: '60000' }],
} as const;

function ServerSettings() {
  const { t } = useTranslation();
  const rows = [
    {
      vars: SERVER_ENV.logRetention,
      label: t('settings.logRetention'),
      body: t('settings.logRetentionBody'),
    },
    { vars: SERVER_ENV.logBodies, label: t('settings.logBodies'), body: t('settings.logBodiesBody') },
    {
      vars: SERVER_ENV.healthInterval,
      label: t('settings.healthInterval'),
      body: t('settings.healthIntervalBody'),
    },
  ];
  return (
    <Section title={t('settings.serverTitle')} body={t('settings.serverBody')}>
      <div className="flex gap-3 rounded-2xl bg-fill p-3 text-sm text-fg" role="note">
        <RotateCw className="size-5 shrink-0 text-muted" aria-hidden />
        {t('settings.serverRestart')}
      </div>
      <ul className="mt-2 divide-y divide-line" aria-label={t('settings.serverTitle')}>
        {rows.map((r) => (
          <li
            key={r.vars[0].name}
            className="flex flex-col gap-2 py-4 sm:flex-row sm:items-start sm:justify-between sm:gap-6"
          >
            <div className="min-w-0">
              <div className="text-sm font-medium text-fg">{r.label}</div>
              <p className="mt-0.5 text-xs text-muted">{r.body}</p>
            </div>
            <div className="flex shrink-0 flex-col gap-1.5 sm:items-end">
              {r.vars.map((v) => (
                <div key={v.name} className="flex items-center gap-2">
                  <code className="rounded-lg bg-fill px-2 py-0.5 font-mono text-xs text-fg">{v.name}</code>
                  <span className="text-xs text-muted">
                    {t('settings.serverDefault', { value: v.default })}
                  </span>
                </div>
              ))}
            </div>
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap items-center justify-between gap-3 border-t border-line pt-4">
        <span className="text-xs text-muted">{t('settings.serverMore')}</span>
        <a
          href="/docs"
          target="_blank"
          rel="noreferrer"
          className="text-sm font-medium text-primary hover:underline"
        >
          {t('settings.apiDocs')} →
        </a>
      </div>
    </Section>
  );
}

export default function SettingsPage() {
  const { t } = useTranslation();
  const user = useAuth((s) => s.user);
  return (
    <div>
      <PageHeader title={t('settings.title')} subtitle={t('settings.subtitle')} />
      <div className="flex flex-col gap-4">
        <Section title={t('settings.appearance')} body={t('settings.appearanceBody')}>
          <div className="flex flex-wrap items-center gap-6">
            <div className="flex items-center gap-3">
              <span className="text-sm text-fg">{t('prefs.theme')}</span>
              <ThemeSwitcher />
            </div>
            <div className="flex items-center gap-3">
              <span className="text-sm text-fg">{t('prefs.language')}</span>
              <LanguageToggle />
            </div>
          </div>
        </Section>
        <Section title={t('settings.account')} body={t('settings.accountBody', { email: user?.email ?? '' })}>
          <ChangePassword />
        </Section>
        {isAdmin(user) ? <ConfigTransfer /> : null}
        <ServerSettings />
      </div>
    </div>
  );
}
