import { lazy, type ComponentType, type LazyExoticComponent } from 'react';
import {
  Activity,
  MessagesSquare,
  Network,
  BellRing,
  HeartPulse,
  Wallet,
  KeyRound,
  LayoutDashboard,
  Route,
  ScrollText,
  Server,
  Settings,
  Users,
} from 'lucide-react';

export interface PageDef {
  /** Route path (also the nav link). */
  path: string;
  /** i18n key of the nav label: `nav.<key>`. */
  key: string;
  icon: ComponentType<{ className?: string }>;
  component: LazyExoticComponent<ComponentType>;
  adminOnly?: boolean;
}

/**
 * Every page of the app, in nav order. Adding a page is one file in `pages/` and one line here
 * (plus its `nav.<key>` label in the two locale files).
 */
export const PAGES: PageDef[] = [
  { path: '/', key: 'dashboard', icon: LayoutDashboard, component: lazy(() => import('./DashboardPage')) },
  { path: '/providers', key: 'providers', icon: Server, component: lazy(() => import('./ProvidersPage')) },
  { path: '/models', key: 'models', icon: Route, component: lazy(() => import('./ModelsPage')) },
  { path: '/keys', key: 'keys', icon: KeyRound, component: lazy(() => import('./ApiKeysPage')) },
  { path: '/logs', key: 'logs', icon: ScrollText, component: lazy(() => import('./LogsPage')) },
  { path: '/usage', key: 'usage', icon: Wallet, component: lazy(() => import('./UsagePage')) },
  { path: '/alerts', key: 'alerts', icon: BellRing, component: lazy(() => import('./AlertsPage')) },
  {
    path: '/sessions',
    key: 'sessions',
    icon: MessagesSquare,
    component: lazy(() => import('./SessionsPage')),
  },
  { path: '/proxies', key: 'proxies', icon: Network, component: lazy(() => import('./ProxiesPage')) },
  { path: '/monitoring', key: 'health', icon: HeartPulse, component: lazy(() => import('./HealthPage')) },
  {
    path: '/users',
    key: 'users',
    icon: Users,
    component: lazy(() => import('./UsersPage')),
    adminOnly: true,
  },
  { path: '/settings', key: 'settings', icon: Settings, component: lazy(() => import('./SettingsPage')) },
];

export const BRAND_ICON = Activity;
