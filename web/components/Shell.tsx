/** The frame of every page: skip link, navigation, sign-in, the connection banner, the page itself. */
import type { ComponentChildren, JSX } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { me, signIn, signOut, token } from '../auth.ts';
import { ApiError, connection, request } from '../graphql.ts';
import { keepSsoSession, loadOidcConfig, oidcConfig, ssoEnded, ssoFinishing, startSso } from '../oidc.ts';
import { Link, useLocation } from '../router.tsx';
import { useStore } from '../store.ts';

const NAV = [
  { href: '/', label: 'Search' },
  { href: '/path', label: 'Path' },
  { href: '/changes', label: 'Changes' },
  { href: '/incidents', label: 'Incidents' },
  { href: '/problems', label: 'Problems' },
  { href: '/kpis', label: 'KPIs' },
];

export function Shell({ children }: { children: ComponentChildren }): JSX.Element {
  const loc = useLocation();
  const current = (href: string) => (href === '/' ? loc.path === '/' : loc.path === href || loc.path.startsWith(`${href}/`));
  return (
    <>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <Link href="/" class="brand">
          cmdb
        </Link>
        <nav aria-label="Main">
          <ul>
            {NAV.map((n) => (
              <li key={n.href}>
                <Link href={n.href} aria-current={current(n.href) ? 'page' : undefined}>
                  {n.label}
                </Link>
              </li>
            ))}
          </ul>
        </nav>
        <Account />
      </header>
      <ConnectionBanner />
      <main id="main" tabIndex={-1}>
        {children}
      </main>
    </>
  );
}

function ConnectionBanner(): JSX.Element | null {
  const state = useStore(connection);
  if (state.online) return null;
  return (
    <div class="banner" role="alert">
      Connection to the server lost; retrying every {state.retryInSeconds} s (attempt {state.attempts}).
    </div>
  );
}

const ME = '{ me { name role via } }';

/** Who is signed in (`me`); a token form when the API wants one, or on demand. Anonymous callers read only. */
function Account(): JSX.Element {
  const caller = useStore(me);
  const signedIn = useStore(token);
  const [open, setOpen] = useState(false);
  const [error, setError] = useState<string>();
  const [value, setValue] = useState('');
  const sso = useStore(oidcConfig);
  const finishing = useStore(ssoFinishing);
  const ended = useStore(ssoEnded);
  const loc = useLocation();

  useEffect(() => {
    if (oidcConfig.get() === undefined) loadOidcConfig();
    // A reloaded page goes on renewing (or ending) the tab's SSO sign-in.
    keepSsoSession();
  }, []);

  const startSignIn = () => {
    if (!sso) return;
    setError(undefined);
    const here = loc.path === '/auth/callback' ? '/' : `${loc.path}${loc.query.toString() ? `?${loc.query.toString()}` : ''}`;
    startSso(sso, here).catch((e: Error) => setError(e.message));
  };
  const ssoButton =
    sso && !signedIn ? (
      <button type="button" onClick={startSignIn}>
        Sign in with SSO
      </button>
    ) : null;

  useEffect(() => {
    // On the way back from the identity provider the token is not there yet: no anonymous `me` to refuse.
    if (!signedIn && finishing) return;
    let current = true;
    request<{ me: { name: string; role: 'VIEWER' | 'RESPONDER' | 'ADMIN'; via: 'ANONYMOUS' | 'TOKEN' | 'OIDC' } }>(ME).then(
      (d) => current && me.set(d.me),
      (e: Error) => {
        if (!current) return;
        me.set(null);
        if (e instanceof ApiError && e.code === 'UNAUTHENTICATED' && signedIn) {
          setError('The token was refused.');
          signOut();
        }
      },
    );
    return () => {
      current = false;
    };
  }, [signedIn, finishing]);

  const submit = (e: Event) => {
    e.preventDefault();
    if (!value.trim()) return setError('Enter a token.');
    setError(undefined);
    signIn(value.trim());
    setValue('');
    setOpen(false);
  };

  const form = (
    <form class="signin" onSubmit={submit}>
      <label for="token">API token</label>
      <input id="token" type="password" autoComplete="off" value={value} onInput={(e) => setValue((e.target as HTMLInputElement).value)} />
      <button type="submit">Sign in</button>
    </form>
  );
  return (
    <div class="account">
      {caller ? (
        <span class="who">
          {caller.via === 'ANONYMOUS' ? 'Anonymous (read-only)' : `${caller.name} · ${caller.role.toLowerCase()}`}
        </span>
      ) : caller === null ? (
        <span class="who">Not signed in</span>
      ) : null}
      {error || (ended && !signedIn) ? (
        <span class="signin-error" role="alert">
          {error ?? ended}
        </span>
      ) : null}
      {ssoButton}
      {signedIn ? (
        <button type="button" onClick={() => signOut()}>
          Sign out
        </button>
      ) : caller === null || open ? (
        form
      ) : (
        <button type="button" onClick={() => setOpen(true)}>
          Sign in
        </button>
      )}
    </div>
  );
}
