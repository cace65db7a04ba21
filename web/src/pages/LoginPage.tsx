import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router-dom';
import { useQuery } from '@tanstack/react-query';
import { motion } from 'framer-motion';
import { useTranslation } from 'react-i18next';
import { api, errorMessage, unwrap } from '../api/client';
import { useAuth } from '../stores/auth';
import { Button, Card, Field, Input, Skeleton } from '../components/ui';
import { LanguageToggle, ThemeSwitcher } from '../layout/AppShell';
import { BRAND_ICON } from './registry';

/** Sign-in, or first-run setup (creates the first admin) while the server has no user yet. */
export function LoginPage() {
  const { t } = useTranslation();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const signIn = useAuth((s) => s.signIn);
  const token = useAuth((s) => s.accessToken);
  const setup = useQuery({ queryKey: ['auth', 'setup'], queryFn: () => unwrap(api.GET('/api/auth/setup')) });
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [confirmPw, setConfirmPw] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const next = params.get('next');
  const target = next && next.startsWith('/') && !next.startsWith('//') ? next : '/';

  if (token) return <Navigate to={target} replace />;
  const firstRun = setup.data?.setupRequired === true;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(null);
    if (firstRun && password !== confirmPw) {
      setError(t('auth.passwordsDiffer'));
      return;
    }
    setBusy(true);
    const {
      data,
      error: err,
      response,
    } = firstRun
      ? await api.POST('/api/auth/setup', { body: { email, password } })
      : await api.POST('/api/auth/login', { body: { email, password } });
    setBusy(false);
    if (!data) {
      setError(
        response.status === 401
          ? t('auth.badCredentials')
          : response.status === 429
            ? t('auth.tooMany')
            : errorMessage(err, response),
      );
      return;
    }
    signIn(data);
    navigate(target, { replace: true });
  }

  const Brand = BRAND_ICON;
  return (
    <div className="relative flex min-h-screen items-center justify-center bg-bg px-4 py-12">
      <div className="absolute right-4 top-4 flex items-center gap-2">
        <ThemeSwitcher />
        <LanguageToggle />
      </div>
      <motion.div
        initial={{ opacity: 0, y: 12 }}
        animate={{ opacity: 1, y: 0 }}
        transition={{ duration: 0.25 }}
        className="w-full max-w-sm"
      >
        <div className="mb-8 flex flex-col items-center text-center">
          <div className="mb-4 flex size-14 items-center justify-center rounded-[18px] bg-primary text-white shadow-float">
            <Brand className="size-7" />
          </div>
          <h1 className="text-2xl font-semibold tracking-tight text-fg">
            {firstRun ? t('auth.setupTitle') : t('auth.signInTitle')}
          </h1>
          <p className="mt-1.5 text-sm text-muted">
            {firstRun ? t('auth.setupSubtitle') : t('auth.signInSubtitle')}
          </p>
        </div>
        <Card className="p-6">
          {setup.isLoading ? (
            <div className="flex flex-col gap-4">
              <Skeleton className="h-10" />
              <Skeleton className="h-10" />
              <Skeleton className="h-10" />
            </div>
          ) : (
            <form onSubmit={submit} className="flex flex-col gap-4" noValidate>
              <Field label={t('auth.email')} htmlFor="email">
                <Input
                  id="email"
                  type="email"
                  autoComplete="username"
                  required
                  value={email}
                  onChange={(e) => setEmail(e.target.value)}
                  autoFocus
                />
              </Field>
              <Field
                label={t('auth.password')}
                htmlFor="password"
                hint={firstRun ? t('auth.passwordHint') : undefined}
              >
                <Input
                  id="password"
                  type="password"
                  autoComplete={firstRun ? 'new-password' : 'current-password'}
                  required
                  value={password}
                  onChange={(e) => setPassword(e.target.value)}
                />
              </Field>
              {firstRun ? (
                <Field label={t('auth.confirmPassword')} htmlFor="confirm">
                  <Input
                    id="confirm"
                    type="password"
                    autoComplete="new-password"
                    required
                    value={confirmPw}
                    onChange={(e) => setConfirmPw(e.target.value)}
                  />
                </Field>
              ) : null}
              {error ? (
                <p role="alert" className="rounded-xl bg-danger/10 px-3 py-2 text-sm text-danger">
                  {error}
                </p>
              ) : null}
              <Button type="submit" loading={busy} className="mt-1 w-full">
                {firstRun ? t('auth.createAdmin') : t('auth.signIn')}
              </Button>
            </form>
          )}
        </Card>
      </motion.div>
    </div>
  );
}
