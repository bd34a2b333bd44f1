// The Loupe dashboard: sign-in with an API key, then Overview, Logs, Sessions, Traces, Models &
// providers, Compare, Costs, Outcomes and Settings, sharing the time range through the URL. Pages
// other than the first load on demand to keep the first page's JavaScript small.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense, useEffect, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { api, ApiFailure, SIGNED_IN, signedIn, type SessionInfo } from './api';
import { RangePicker } from './components/range-picker';
import { Overview } from './pages/overview';
import { navigate } from './navigate';
import { currentRange, rangeSearch } from './range';
import { applyTheme, savedTheme, type ThemeChoice } from './theme';
import './styles.css';

const Logs = lazy(() => import('./pages/logs').then((module) => ({ default: module.Logs })));
const Compare = lazy(() => import('./pages/compare').then((module) => ({ default: module.Compare })));
const Costs = lazy(() => import('./pages/costs').then((module) => ({ default: module.Costs })));
const Providers = lazy(() => import('./pages/providers').then((module) => ({ default: module.Providers })));
const Sessions = lazy(() => import('./pages/sessions').then((module) => ({ default: module.Sessions })));
const Traces = lazy(() => import('./pages/traces').then((module) => ({ default: module.Traces })));
const Outcomes = lazy(() => import('./pages/outcomes').then((module) => ({ default: module.Outcomes })));
const Settings = lazy(() => import('./pages/settings').then((module) => ({ default: module.Settings })));

const PAGES = { '/': 'Overview', '/logs': 'Logs', '/sessions': 'Sessions', '/traces': 'Traces', '/providers': 'Models & providers', '/compare': 'Compare', '/costs': 'Costs', '/outcomes': 'Outcomes', '/settings': 'Settings' } as const;
type PagePath = keyof typeof PAGES;
const THEMES: ThemeChoice[] = ['system', 'light', 'dark'];

function useLocation(): string {
  const [where, setWhere] = useState(location.pathname + location.search);
  useEffect(() => {
    const update = () => setWhere(location.pathname + location.search);
    addEventListener('popstate', update);
    return () => removeEventListener('popstate', update);
  }, []);
  return where;
}

function Login({ onDone }: { onDone: () => void }) {
  const [key, setKey] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    try {
      const session = await api<SessionInfo>('/api/v1/session/login', { method: 'POST', body: JSON.stringify({ key: key.trim() }) });
      sessionStorage.setItem(SIGNED_IN, JSON.stringify(session));
      onDone();
    } catch (error) {
      setProblem(error instanceof Error ? error.message : 'could not sign in');
    }
  };
  return (
    <form className="login" onSubmit={(event) => void submit(event)}>
      <h1>Loupe</h1>
      <p className="muted">Sign in with an API key (the admin key printed at first start, or a read key). The key is exchanged for a session cookie and is not kept in the browser.</p>
      <input type="password" placeholder="lp_..." value={key} onChange={(event) => setKey(event.target.value)} autoFocus aria-label="API key" />
      <button type="submit">Sign in</button>
      {problem ? <p className="error">{problem}</p> : null}
    </form>
  );
}

function Page({ path }: { path: PagePath }) {
  switch (path) {
    case '/': return <Overview />;
    case '/logs': return <Logs />;
    case '/sessions': return <Sessions />;
    case '/traces': return <Traces />;
    case '/providers': return <Providers />;
    case '/compare': return <Compare />;
    case '/costs': return <Costs />;
    case '/outcomes': return <Outcomes />;
    case '/settings': return <Settings />;
  }
}

/** Signed in in this tab, or (a new tab, a reload) a session cookie that still works. */
function useSignedIn(): [boolean | null, (value: boolean) => void] {
  const [isSignedIn, setSignedIn] = useState<boolean | null>(signedIn() ? true : null);
  useEffect(() => {
    if (isSignedIn !== null) return;
    api<SessionInfo & { signed_in: boolean }>('/api/v1/session').then((session) => {
      if (session.signed_in) sessionStorage.setItem(SIGNED_IN, JSON.stringify(session));
      setSignedIn(session.signed_in);
    }, () => setSignedIn(false));
  }, [isSignedIn]);
  useEffect(() => {
    const logout = () => {
      sessionStorage.removeItem(SIGNED_IN);
      setSignedIn(false);
    };
    addEventListener('loupe:logout', logout);
    return () => removeEventListener('loupe:logout', logout);
  }, []);
  return [isSignedIn, setSignedIn];
}

function App() {
  const [isSignedIn, setSignedIn] = useSignedIn();
  const [theme, setTheme] = useState(savedTheme());
  const where = useLocation();
  if (isSignedIn === null) return <p className="muted">Loading…</p>;
  if (!isSignedIn) return <Login onDone={() => setSignedIn(true)} />;
  const path = (location.pathname in PAGES ? location.pathname : '/') as PagePath;
  const range = currentRange();
  const nextTheme = THEMES[(THEMES.indexOf(theme) + 1) % THEMES.length]!;
  return (
    <div className="app">
      <header>
        <strong className="brand">Loupe</strong>
        <nav>{(Object.keys(PAGES) as PagePath[]).map((page) => <a key={page} href={page + rangeSearch(range)} className={page === path ? 'active' : ''} onClick={(event) => { event.preventDefault(); navigate(page + rangeSearch(range)); }}>{PAGES[page]}</a>)}</nav>
        <RangePicker key={rangeSearch(range)} range={range} onChange={(next) => navigate(path + rangeSearch(next))} />
        <button className="link" aria-label="Theme" title={`Theme: ${theme} (switch to ${nextTheme})`} onClick={() => { applyTheme(nextTheme); setTheme(nextTheme); }}>{theme === 'dark' ? '☾ dark' : theme === 'light' ? '☀ light' : '◐ auto'}</button>
        <button className="link" onClick={() => void api('/api/v1/session/logout', { method: 'POST' }).finally(() => dispatchEvent(new Event('loupe:logout')))}>Sign out</button>
      </header>
      <main key={where}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          <Page path={path} />
        </Suspense>
      </main>
    </div>
  );
}

applyTheme(savedTheme());
const client = new QueryClient({ defaultOptions: { queries: { staleTime: 10_000, retry: (count, error) => count < 1 && !(error instanceof ApiFailure && error.status < 500) } } });
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={client}><App /></QueryClientProvider>
  </StrictMode>,
);
