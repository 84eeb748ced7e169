/**
 * The routes of the UI. `cmdb serve` answers index.html for each of these
 * prefixes (server/WebPart.ts CLIENT_ROUTES): keep the two lists in step.
 * Pages whose API does not exist yet are stubs naming it.
 */
import type { ComponentChildren, JSX } from 'preact';
import { useErrorBoundary } from 'preact/hooks';
import { ErrorBox } from './components/common.tsx';
import { Shell } from './components/Shell.tsx';
import { AuthCallbackPage } from './pages/AuthCallback.tsx';
import { ChangePage } from './pages/Change.tsx';
import { ChangesPage } from './pages/Changes.tsx';
import { EntityPage } from './pages/Entity.tsx';
import { Home } from './pages/Home.tsx';
import { KpisLazyPage } from './pages/KpisLazy.tsx';
import { IncidentPage } from './pages/Incident.tsx';
import { IncidentsPage } from './pages/Incidents.tsx';
import { NotFound } from './pages/NotFound.tsx';
import { PathPage } from './pages/Path.tsx';
import { ProblemPage } from './pages/Problem.tsx';
import { ProblemsPage } from './pages/Problems.tsx';
import { match, useLocation, type RouteDef } from './router.tsx';

export const ROUTES: RouteDef[] = [
  { pattern: '/', render: () => <Home /> },
  { pattern: '/entities/*', render: (p) => <EntityPage key={p['*']} ref={p['*']} /> },
  { pattern: '/path', render: () => <PathPage /> },
  { pattern: '/changes', render: () => <ChangesPage /> },
  { pattern: '/changes/:id', render: (p) => <ChangePage key={p.id} id={p.id} /> },
  { pattern: '/incidents', render: () => <IncidentsPage /> },
  { pattern: '/incidents/:id', render: (p) => <IncidentPage key={p.id} id={p.id} /> },
  { pattern: '/problems', render: () => <ProblemsPage /> },
  { pattern: '/problems/:id', render: (p) => <ProblemPage key={p.id} id={p.id} /> },
  { pattern: '/kpis', render: () => <KpisLazyPage /> },
  { pattern: '/auth/callback', render: () => <AuthCallbackPage /> },
];

export function App(): JSX.Element {
  const loc = useLocation();
  const found = match(ROUTES, loc.path);
  return (
    <Shell>
      <Boundary key={loc.path}>{found ? found.route.render(found.params, loc) : <NotFound path={loc.path} />}</Boundary>
    </Shell>
  );
}

/** A page that throws while rendering shows the error instead of disappearing. */
function Boundary({ children }: { children: ComponentChildren }): JSX.Element {
  const [error] = useErrorBoundary();
  if (error) return <ErrorBox error={error as Error} title="This page failed" />;
  return <>{children}</>;
}
