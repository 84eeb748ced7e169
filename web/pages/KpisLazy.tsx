/** `/kpis` loaded on first visit (its own chunk, and uPlot another), so the first page load does not carry it. */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, Loading, PageTitle } from '../components/common.tsx';

type KpisModule = typeof import('./Kpis.tsx');

export function KpisLazyPage(): JSX.Element {
  const [page, setPage] = useState<KpisModule>();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    import('./Kpis.tsx').then(setPage, setError);
  }, []);
  if (page) return <page.KpisPage />;
  return (
    <>
      <PageTitle text="KPIs" />
      {error ? <ErrorBox error={error} title="The KPI page could not be loaded" /> : <Loading what="the KPI page" />}
    </>
  );
}
