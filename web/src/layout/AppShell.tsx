import { Suspense, useState } from 'react';
import { NavLink, Outlet, useLocation, useNavigate } from 'react-router-dom';
import { AnimatePresence, motion } from 'framer-motion';
import { useTranslation } from 'react-i18next';
import { Languages, LogOut, Menu, Monitor, Moon, Sun, X } from 'lucide-react';
import { BRAND_ICON, PAGES } from '../pages/registry';
import { isAdmin, useAuth } from '../stores/auth';
import { usePrefs, type ThemePref } from '../stores/prefs';
import { IconButton, Skeleton } from '../components/ui';
import { cx } from '../lib/format';
import { currentLang } from '../i18n';
import { signOut } from '../lib/session';

const THEMES: { value: ThemePref; icon: typeof Sun }[] = [
  { value: 'light', icon: Sun },
  { value: 'dark', icon: Moon },
  { value: 'system', icon: Monitor },
];

export function ThemeSwitcher() {
  const { t } = useTranslation();
  const { theme, setTheme } = usePrefs();
  return (
    <div role="radiogroup" aria-label={t('prefs.theme')} className="flex rounded-full bg-fill p-0.5">
      {THEMES.map(({ value, icon: Icon }) => (
        <button
          key={value}
          type="button"
          role="radio"
          aria-checked={theme === value}
          aria-label={t(`prefs.${value}`)}
          title={t(`prefs.${value}`)}
          onClick={() => setTheme(value)}
          className={cx(
            'flex size-7 items-center justify-center rounded-full transition-all',
            theme === value ? 'bg-card text-fg shadow-sm' : 'text-muted hover:text-fg',
          )}
        >
          <Icon className="size-3.5" />
        </button>
      ))}
    </div>
  );
}

export function LanguageToggle() {
  const { t, i18n } = useTranslation();
  const next = currentLang() === 'zh' ? 'en' : 'zh';
  return (
    <button
      type="button"
      onClick={() => void i18n.changeLanguage(next)}
      aria-label={t('prefs.language')}
      title={t('prefs.language')}
      className="flex h-8 items-center gap-1.5 rounded-full bg-fill px-3 text-xs font-medium text-fg hover:bg-fill-strong"
      data-testid="language-toggle"
    >
      <Languages className="size-3.5" />
      {next === 'zh' ? '中文' : 'English'}
    </button>
  );
}

function Sidebar({ onNavigate }: { onNavigate?: () => void }) {
  const { t } = useTranslation();
  const user = useAuth((s) => s.user);
  const navigate = useNavigate();
  const Brand = BRAND_ICON;
  return (
    <div className="flex h-full flex-col gap-6 p-4">
      <div className="flex items-center gap-2.5 px-2 pt-2">
        <div className="flex size-8 items-center justify-center rounded-[10px] bg-primary text-white shadow-sm">
          <Brand className="size-4.5" />
        </div>
        <span className="text-[15px] font-semibold tracking-tight text-fg">{t('app.name')}</span>
      </div>
      <nav aria-label={t('nav.label')} className="-mx-1 flex min-h-0 flex-1 flex-col gap-0.5 overflow-y-auto px-1">
        {PAGES.filter((p) => !p.adminOnly || isAdmin(user)).map(({ path, key, icon: Icon }) => (
          <NavLink
            key={path}
            to={path}
            end={path === '/'}
            onClick={onNavigate}
            className={({ isActive }) =>
              cx(
                'flex items-center gap-3 rounded-xl px-3 py-2 text-sm font-medium transition-colors',
                isActive ? 'bg-primary text-white shadow-sm' : 'text-fg/80 hover:bg-fill hover:text-fg',
              )
            }
          >
            <Icon className="size-4" />
            {t(`nav.${key}`)}
          </NavLink>
        ))}
      </nav>
      <div className="flex flex-col gap-3 border-t border-line pt-4">
        <div className="flex items-center justify-between gap-2 px-1">
          <ThemeSwitcher />
          <LanguageToggle />
        </div>
        <div className="flex items-center gap-3 rounded-xl px-2 py-1.5">
          <div className="flex size-8 shrink-0 items-center justify-center rounded-full bg-fill-strong text-xs font-semibold uppercase text-fg">
            {user?.email.slice(0, 1)}
          </div>
          <div className="min-w-0 flex-1">
            <p className="truncate text-[13px] font-medium text-fg">{user?.email}</p>
            <p className="text-xs text-muted">{user ? t(`roles.${user.role}`) : ''}</p>
          </div>
          <IconButton
            label={t('auth.signOut')}
            onClick={async () => {
              await signOut();
              navigate('/login', { replace: true });
            }}
          >
            <LogOut className="size-4" />
          </IconButton>
        </div>
      </div>
    </div>
  );
}

function PageFallback() {
  return (
    <div className="flex flex-col gap-4" aria-busy="true">
      <Skeleton className="h-9 w-48" />
      <Skeleton className="h-32 w-full" />
      <Skeleton className="h-64 w-full" />
    </div>
  );
}

export function AppShell() {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const location = useLocation();
  return (
    <div className="min-h-screen bg-bg">
      <aside className="fixed inset-y-0 left-0 hidden w-64 border-r border-line bg-card/70 backdrop-blur-xl lg:block">
        <Sidebar />
      </aside>
      <header className="sticky top-0 z-30 flex items-center justify-between border-b border-line bg-card/80 px-4 py-3 backdrop-blur-xl lg:hidden">
        <IconButton label={t('nav.open')} onClick={() => setOpen(true)}>
          <Menu className="size-5" />
        </IconButton>
        <span className="text-[15px] font-semibold text-fg">{t('app.name')}</span>
        <span className="size-9" />
      </header>
      <AnimatePresence>
        {open ? (
          <div className="fixed inset-0 z-40 lg:hidden">
            <motion.div
              className="absolute inset-0 bg-black/30"
              initial={{ opacity: 0 }}
              animate={{ opacity: 1 }}
              exit={{ opacity: 0 }}
              onClick={() => setOpen(false)}
            />
            <motion.aside
              className="absolute inset-y-0 left-0 w-72 bg-card shadow-float"
              initial={{ x: '-100%' }}
              animate={{ x: 0 }}
              exit={{ x: '-100%' }}
              transition={{ duration: 0.2 }}
            >
              <IconButton
                label={t('common.close')}
                className="absolute right-3 top-4"
                onClick={() => setOpen(false)}
              >
                <X className="size-4" />
              </IconButton>
              <Sidebar onNavigate={() => setOpen(false)} />
            </motion.aside>
          </div>
        ) : null}
      </AnimatePresence>
      <main className="lg:pl-64">
        <motion.div
          key={location.pathname}
          initial={{ opacity: 0, y: 6 }}
          animate={{ opacity: 1, y: 0 }}
          transition={{ duration: 0.2, ease: 'easeOut' }}
          className="mx-auto max-w-7xl px-4 py-6 sm:px-8 sm:py-10"
        >
          <Suspense fallback={<PageFallback />}>
            <Outlet />
          </Suspense>
        </motion.div>
      </main>
    </div>
  );
}
