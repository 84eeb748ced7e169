/** `/auth/callback`: where the identity provider sends the browser back; finishes the SSO sign-in (web/oidc.ts). */
import type { JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { ErrorBox, PageTitle } from '../components/common.tsx';
import { finishSso } from '../oidc.ts';
import { navigate, useLocation } from '../router.tsx';

export function AuthCallbackPage(): JSX.Element {
  const loc = useLocation();
  const [error, setError] = useState<Error>();
  useEffect(() => {
    let current = true;
    finishSso(window.location.search).then(
      (to) => current && navigate(to, { replace: true }),
      (e: Error) => current && setError(e),
    );
    return () => {
      current = false;
    };
    // once per arrival: the code can be traded only once
  }, [loc.path]);
  return (
    <>
      <PageTitle text="Signing in" />
      {error ? <ErrorBox error={error} title="Sign-in failed" /> : <p role="status">Signing in…</p>}
    </>
  );
}
