// The Loupe dashboard: login with an API key, then Overview, Logs, Costs and Providers, the
// time range shared through the URL. Pages load on demand to keep the first one small.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense, useEffect, useState, type FormEvent } from 'react';
import { createRoot } from 'react-dom/client';
import { api, currentRange, RANGES, SIGNED_IN, signedIn, type RangeName } from './api';
import { Overview } from './pages/overview';
import './styles.css';

const Logs = lazy(() => import('./pages/logs').then((module) => ({ default: module.Logs })));
const Costs = lazy(() => import('./pages/costs').then((module) => ({ default: module.Costs })));
const Providers = lazy(() => import('./pages/providers').then((module) => ({ default: module.Providers })));
const Sessions = lazy(() => import('./pages/sessions').then((module) => ({ default: module.Sessions })));
const Outcomes = lazy(() => import('./pages/outcomes').then((module) => ({ default: module.Outcomes })));
const Settings = lazy(() => import('./pages/settings').then((module) => ({ default: module.Settings })));

const PAGES = { '/': 'Overview', '/logs': 'Logs', '/sessions': 'Sessions', '/providers': 'Models & providers', '/costs': 'Costs', '/outcomes': 'Outcomes', '/settings': 'Settings' } as const;
type PagePath = keyof typeof PAGES;

function navigate(path: string): void {
  history.pushState(null, '', path);
  dispatchEvent(new PopStateEvent('popstate'));
}

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
      await api('/api/v1/session/login', { method: 'POST', body: JSON.stringify({ key: key.trim() }) });
      sessionStorage.setItem(SIGNED_IN, 'yes');
      onDone();
    } catch (error) {
      setProblem(error instanceof Error ? error.message : 'could not sign in');
    }
  };
  return (
    <form className="login" onSubmit={(event) => void submit(event)}>
      <h1>Loupe</h1>
      <p className="muted">Sign in with an API key (the admin key printed at first start, or a read key).</p>
      <input type="password" placeholder="lp_..." value={key} onChange={(event) => setKey(event.target.value)} autoFocus />
      <button type="submit">Sign in</button>
      {problem ? <p className="error">{problem}</p> : null}
    </form>
  );
}

function App() {
  const [isSignedIn, setSignedIn] = useState(signedIn());
  const where = useLocation();
  useEffect(() => {
    const logout = () => {
      sessionStorage.removeItem(SIGNED_IN);
      setSignedIn(false);
    };
    addEventListener('loupe:logout', logout);
    return () => removeEventListener('loupe:logout', logout);
  }, []);
  if (!isSignedIn) return <Login onDone={() => setSignedIn(true)} />;
  const path = (location.pathname in PAGES ? location.pathname : '/') as PagePath;
  const range = currentRange();
  const withRange = (target: string, value: RangeName = range) => `${target}?range=${value}`;
  return (
    <div className="app" data-where={where}>
      <header>
        <strong>Loupe</strong>
        <nav>{(Object.keys(PAGES) as PagePath[]).map((page) => <a key={page} href={withRange(page)} className={page === path ? 'active' : ''} onClick={(event) => { event.preventDefault(); navigate(withRange(page)); }}>{PAGES[page]}</a>)}</nav>
        <select value={range} onChange={(event) => navigate(withRange(path, event.target.value as RangeName))} aria-label="Time range">
          {(Object.keys(RANGES) as RangeName[]).map((name) => <option key={name} value={name}>{name}</option>)}
        </select>
        <button className="link" onClick={() => void api('/api/v1/session/logout', { method: 'POST' }).finally(() => dispatchEvent(new Event('loupe:logout')))}>Sign out</button>
      </header>
      <main key={where}>
        <Suspense fallback={<p className="muted">Loading…</p>}>
          {path === '/' ? <Overview /> : path === '/logs' ? <Logs /> : path === '/sessions' ? <Sessions /> : path === '/costs' ? <Costs /> : path === '/outcomes' ? <Outcomes /> : path === '/settings' ? <Settings /> : <Providers />}
        </Suspense>
      </main>
    </div>
  );
}

const client = new QueryClient({ defaultOptions: { queries: { staleTime: 10_000, retry: 1 } } });
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={client}><App /></QueryClientProvider>
  </StrictMode>,
);
