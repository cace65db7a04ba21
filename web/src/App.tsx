import { Navigate, Route, Routes, useLocation } from 'react-router-dom';
import { AppShell } from './layout/AppShell';
import { PAGES } from './pages/registry';
import { LoginPage } from './pages/LoginPage';
import { isAdmin, useAuth } from './stores/auth';
import { ConfirmHost, ToastHost } from './components/overlays';
import { useApplyTheme } from './lib/theme';
import type { ReactNode } from 'react';

function RequireAuth({ children }: { children: ReactNode }) {
  const token = useAuth((s) => s.accessToken);
  const location = useLocation();
  if (!token) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}

export default function App() {
  useApplyTheme();
  const user = useAuth((s) => s.user);
  return (
    <>
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="/setup" element={<LoginPage />} />
        <Route
          element={
            <RequireAuth>
              <AppShell />
            </RequireAuth>
          }
        >
          {PAGES.filter((p) => !p.adminOnly || isAdmin(user)).map(({ path, component: Page }) => (
            <Route key={path} path={path} element={<Page />} />
          ))}
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
      <ToastHost />
      <ConfirmHost />
    </>
  );
}
