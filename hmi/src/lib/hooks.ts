// React glue over Bus and LiveStore: live values per topic, scoped subscriptions, a ticking clock.
import { createContext, useContext, useEffect, useMemo, useState, useSyncExternalStore } from 'react';
import type { HmiConfig } from './api';
import type { Bus } from './bus';
import type { TopologyView } from './contract';
import type { LiveValue, Series, ValueType } from './live';

export interface Site {
  config: HmiConfig;
  bus: Bus;
  view: TopologyView | null;
  viewError: string | null;
  refetch: () => void;
}
export const SiteContext = createContext<Site | null>(null);
export function useSite(): Site {
  const s = useContext(SiteContext);
  if (!s) throw new Error('useSite outside SiteContext');
  return s;
}

export function useLive(topic: string | undefined): LiveValue | undefined {
  const { bus } = useSite();
  return useSyncExternalStore(
    (cb) => (topic ? bus.store.subscribe(topic, cb) : () => {}),
    () => (topic ? bus.store.get(topic) : undefined),
  );
}

export function useHistory(topic: string | undefined): Series | undefined {
  const { bus } = useSite();
  return useSyncExternalStore(
    (cb) => (topic ? bus.store.subscribe(topic, cb) : () => {}),
    () => (topic ? bus.store.history(topic) : undefined),
  );
}

/** Subscribes to these topics while the component is mounted and the list is the same. */
export function useWatch(topics: readonly { topic: string; type?: ValueType }[]): void {
  const { bus } = useSite();
  const key = useMemo(() => topics.map((t) => `${t.topic}|${t.type ?? ''}`).join('\n'), [topics]);
  useEffect(() => {
    if (!key) return;
    const list = key.split('\n').map((l) => {
      const [topic, type] = l.split('|');
      return { topic, type: (type || undefined) as ValueType | undefined };
    });
    return bus.watch(list);
  }, [bus, key]);
}

export function useNow(periodMs = 1000): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const id = setInterval(() => setNow(Date.now()), periodMs);
    return () => clearInterval(id);
  }, [periodMs]);
  return now;
}

export function useBusState() {
  const { bus } = useSite();
  return useSyncExternalStore((cb) => bus.onState(cb), () => bus.state());
}

export function useDiagnostics() {
  const { bus } = useSite();
  return useSyncExternalStore((cb) => bus.store.subscribeDiagnostics(cb), () => bus.store.diagnostics());
}

export function navigate(hash: string): void { window.location.hash = hash; }

export function useRoute(): string[] {
  const get = () => window.location.hash.replace(/^#\/?/, '').split('/').filter(Boolean).map(decodeURIComponent);
  const [route, setRoute] = useState(get);
  useEffect(() => {
    const on = () => setRoute(get());
    window.addEventListener('hashchange', on);
    return () => window.removeEventListener('hashchange', on);
  }, []);
  return route;
}

export function useServices() {
  const { bus } = useSite();
  return useSyncExternalStore((cb) => bus.onServices(cb), () => bus.services());
}
