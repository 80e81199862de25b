import { useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { CommandsContext } from './components/Commands';
import { ErrorBoundary } from './components/ErrorBoundary';
import { fetchView, type HmiConfig } from './lib/api';
import { Bus } from './lib/bus';
import { ChatContext, chatReducer, initialChat } from './lib/chat';
import { commandsReducer } from './lib/commands';
import type { TopologyView } from './lib/contract';
import { SiteContext, useBusState, useDiagnostics, useRoute, useServices, useSite, type Site } from './lib/hooks';
import { LiveStore } from './lib/live';
import { Chat } from './pages/Chat';
import { CommandsPage } from './pages/CommandsPage';
import { Device } from './pages/Device';
import { Modules } from './pages/Modules';
import { Overview } from './pages/Overview';
import { Sld } from './pages/Sld';

const COMMAND_EXPIRY_MS = 30_000;

function Diagnostics() {
  const d = useDiagnostics();
  const { bus, view } = useSite();
  const state = useBusState();
  const services = useServices();
  return (
    <details className="diagnostics" data-rejected={d.rejected}>
      <summary>Diagnostics{d.rejected ? ` · ${d.rejected} bad payloads ignored` : ''}</summary>
      <dl>
        <dt>broker</dt><dd data-bus-state={state}>{state}</dd>
        <dt>topology</dt><dd>{view?.version ?? '—'}</dd>
        <dt>services</dt><dd>{Object.entries(services).map(([k, v]) => `${k} ${v}`).join(', ') || '—'}</dd>
        <dt>subscribed topics</dt><dd>{bus.subscribedTopics().length}</dd>
        <dt>messages</dt><dd>{d.messages}</dd>
        <dt>ignored (bad topic or payload)</dt><dd data-diag="rejected">{d.rejected}</dd>
      </dl>
      {d.last_errors.length > 0 && (
        <ul className="small">{d.last_errors.map((e, i) => <li key={i}><code>{e.topic}</code>: {e.error}</li>)}</ul>
      )}
    </details>
  );
}

function Shell() {
  const site = useSite();
  const route = useRoute();
  const state = useBusState();
  const services = useServices();
  const down = Object.entries(services).filter(([, v]) => v === 'OFFLINE').map(([k]) => k).sort();
  const [theme, setTheme] = useState<string>(() => localStorage.getItem('ems-theme') ?? 'auto');
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
    localStorage.setItem('ems-theme', theme);
  }, [theme]);
  const page = route[0] ?? 'overview';
  // on a phone the nav scrolls sideways: keep the current page's link in view
  useEffect(() => { document.querySelector('header.top nav a[aria-current="page"]')?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' }); }, [page]);
  const links: [string, string][] = [['overview', 'Overview'], ['modules', 'Modules'], ['sld', 'Single-line diagram'], ['commands', 'Commands'], ['chat', 'Ask']];
  let body;
  if (site.viewError && !site.view) body = <div className="page"><h1>Topology unavailable</h1><p className="error" role="alert">{site.viewError}</p><button onClick={site.refetch}>Retry</button></div>;
  else if (!site.view) body = <div className="page"><p className="muted">Loading the site topology…</p></div>;
  else if (page === 'modules') body = <Modules />;
  else if (page === 'sld') body = <Sld />;
  else if (page === 'commands') body = <CommandsPage device={route[1]} />;
  else if (page === 'device' && route[1]) body = <Device key={route[1]} id={route[1]} focus={route[2]} />;
  else if (page === 'chat') body = <Chat />;
  else body = <Overview focus={route[1]} />;
  return (
    <>
      <a className="skip" href="#main" onClick={(e) => { e.preventDefault(); document.getElementById('main')?.focus(); }}>Skip to content</a>
      <header className="top">
        <span className="brand">EMS</span>
        <nav aria-label="Pages">
          {links.map(([k, label]) => <a key={k} href={`#/${k}`} aria-current={page === k ? 'page' : undefined}>{label}</a>)}
        </nav>
        <span className={`badge bus-${state}`} data-bus={state} title="MQTT broker connection">{state === 'online' ? 'live' : state}</span>
        <label className="theme">
          <span className="sr-only">Theme</span>
          <select value={theme} onChange={(e) => setTheme(e.target.value)} aria-label="Theme">
            <option value="auto">auto</option><option value="light">light</option><option value="dark">dark</option>
          </select>
        </label>
      </header>
      {down.length > 0 && (
        <p className="banner offline" role="status" data-services-offline={down.join(' ')}>
          Service{down.length > 1 ? 's' : ''} offline: {down.join(', ')}. Values they publish are not updating.
        </p>
      )}
      {site.viewError && site.view && <p className="banner" role="status">Topology refresh failed ({site.viewError}); showing version {site.view.version}.</p>}
      <main id="main" tabIndex={-1}><ErrorBoundary key={route.join('/')}>{body}</ErrorBoundary></main>
      <footer><Diagnostics /></footer>
    </>
  );
}

export function App({ config }: { config: HmiConfig }) {
  const bus = useMemo(() => new Bus(new LiveStore()), []);
  const [view, setView] = useState<TopologyView | null>(null);
  const [viewError, setViewError] = useState<string | null>(null);
  const [records, dispatch] = useReducer(commandsReducer, []);
  const [chatState, chatDispatch] = useReducer(chatReducer, initialChat);
  const inflight = useRef(0);

  const refetch = useCallback(() => {
    const n = ++inflight.current;
    fetchView(config)
      .then((v) => {
        if (n !== inflight.current) return;
        // same version: keep the object so nothing re-renders or re-subscribes
        setView((old) => (old && old.version === v.version ? old : v));
        setViewError(null);
      })
      .catch((e: Error) => { if (n === inflight.current) setViewError(e.message); });
  }, [config]);

  useEffect(() => {
    bus.connect(config.mqtt_ws_url);
    refetch();
    const offTopo = bus.onTopologyChanged(() => refetch());
    const offAck = bus.onAck((ack) => dispatch({ type: 'ack', ack }));
    const retry = setInterval(() => { if (!inflight.current || viewErrorRef.current) refetch(); }, 10_000);
    const expire = setInterval(() => dispatch({ type: 'expire', now: Date.now(), after_ms: COMMAND_EXPIRY_MS }), 1000);
    return () => { offTopo(); offAck(); clearInterval(retry); clearInterval(expire); bus.disconnect(); };
  }, [bus, config, refetch]);
  const viewErrorRef = useRef<string | null>(null);
  viewErrorRef.current = viewError;

  const site: Site = useMemo(() => ({ config, bus, view, viewError, refetch }), [config, bus, view, viewError, refetch]);
  const cmds = useMemo(() => ({ records, dispatch }), [records]);
  const chat = useMemo(() => ({ state: chatState, dispatch: chatDispatch }), [chatState]);
  (window as unknown as { __ems?: unknown }).__ems = { bus, view };
  return (
    <SiteContext.Provider value={site}>
      <CommandsContext.Provider value={cmds}>
        <ChatContext.Provider value={chat}>
          <Shell />
        </ChatContext.Provider>
      </CommandsContext.Provider>
    </SiteContext.Provider>
  );
}
