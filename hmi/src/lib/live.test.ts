import { describe, expect, it } from 'vitest';
import { LiveStore, SubscriptionCounter } from './live';
import { deviceTree, displayCandidates, moduleRollups, siteKpis } from './site';
import type { TopologyView } from './contract';

const T = 'sites/site/devices/r1/measurements/active_power/watts';
const S = (ts: string, value: unknown) => JSON.stringify({ ts, value });

describe('LiveStore', () => {
  it('keeps the latest sample, notifies once per flush, counts bad payloads', () => {
    const pending: (() => void)[] = [];
    const store = new LiveStore((f) => pending.push(f));
    let calls = 0;
    store.subscribe(T, () => calls++);
    store.setType(T, 'float');
    expect(store.ingest(T, S('2026-12-04T08:00:00.000Z', 1), 100)).toBe(true);
    expect(store.ingest(T, S('2026-12-04T08:00:01.000Z', 2), 200)).toBe(true);
    expect(calls).toBe(0);
    expect(pending.length).toBe(1);
    pending.shift()!();
    expect(calls).toBe(1);
    expect(store.get(T)).toEqual({ value: 2, ts: '2026-12-04T08:00:01.000Z', receivedAt: 200 });
    expect(store.history(T)?.v).toEqual([1, 2]);
    expect(store.ingest(T, 'garbage', 300)).toBe(false);
    expect(store.ingest(T, S('2026-12-04T08:00:02.000Z', 'x'), 300)).toBe(false);
    expect(store.ingest('sites/site/devices/r1/bogus', S('2026-12-04T08:00:02.000Z', 1), 300)).toBe(false);
    expect(store.get(T)?.value).toBe(2);
    expect(store.diagnostics()).toMatchObject({ messages: 5, rejected: 3 });
    expect(store.diagnostics().last_errors[0].error).toBe('not a measurement topic');
  });
  it('ignores an older retained replay in the history', () => {
    const store = new LiveStore(() => {});
    store.ingest(T, S('2026-12-04T08:00:05.000Z', 5), 1);
    store.ingest(T, S('2026-12-04T08:00:01.000Z', 1), 2);
    expect(store.history(T)?.v).toEqual([5]);
  });
});

describe('LiveStore retained clears', () => {
  it('treats an empty payload as the value being removed, not as a bad payload', () => {
    const store = new LiveStore(() => {});
    store.ingest(T, S('2026-12-04T08:00:05.000Z', 5), 1);
    expect(store.ingest(T, '', 2)).toBe(true);
    expect(store.get(T)).toBeUndefined();
    expect(store.history(T)).toBeUndefined();
    expect(store.diagnostics().rejected).toBe(0);
  });
});

describe('SubscriptionCounter', () => {
  it('subscribes on the first watcher and unsubscribes after the last', () => {
    const c = new SubscriptionCounter();
    expect(c.add(['a', 'b'])).toEqual(['a', 'b']);
    expect(c.add(['b', 'c'])).toEqual(['c']);
    expect(c.remove(['a', 'b'])).toEqual(['a']);
    expect(c.active().sort()).toEqual(['b', 'c']);
    expect(c.remove(['b', 'c'])).toEqual(['b', 'c']);
    expect(c.remove(['b'])).toEqual([]);
    expect(c.active()).toEqual([]);
  });
});

describe('site derivations', () => {
  const m = (unit: string) => ({ unit, type: 'float', display_name: unit });
  const view = {
    site_id: 's', version: '1.0.0', roots: [], buses: [],
    devices: {
      bess_module_1: { device_id: 'bess_module_1', template: 'bess_module', parent: null, display_name: 'BESS', children: [] },
      bess_rack_10: { device_id: 'bess_rack_10', template: 'bess_rack', parent: 'bess_module_1', display_name: 'R10', children: [] },
      bess_rack_2: { device_id: 'bess_rack_2', template: 'bess_rack', parent: 'bess_module_1', display_name: 'R2', children: [] },
      orphan: { device_id: 'orphan', template: 'bess_rack', parent: 'gone', display_name: 'O', children: [] },
    },
    templates_used: {
      bess_module: { template: 'bess_module', kind: 'module', commands: {}, measurements: { state_of_charge: m('percent'), active_power: m('watts') } },
      bess_rack: { template: 'bess_rack', kind: 'leaf', commands: {}, measurements: { state_of_charge: m('percent') } },
    },
  } as unknown as TopologyView;
  it('builds the tree from parent chains, naturally sorted; a dangling parent makes a root', () => {
    const t = deviceTree(view);
    expect(t.map((n) => n.id)).toEqual(['bess_module_1', 'orphan']);
    expect(t[0].children.map((n) => n.id)).toEqual(['bess_rack_2', 'bess_rack_10']);
  });
  it('shows power first on the diagram, and a module\'s float roll-ups in the browser', () => {
    expect(displayCandidates(view, 'bess_module_1').map((m) => m.name)).toEqual(['active_power', 'state_of_charge']);
    expect(moduleRollups(view, 'bess_module_1').map((m) => m.name)).toEqual(['state_of_charge', 'active_power']);
    expect(moduleRollups(view, 'bess_rack_2')).toEqual([]);
  });
  it('finds the KPIs the site has, and only those', () => {
    expect(siteKpis(view).map((k) => `${k.key}:${k.device}.${k.measurement}`)).toEqual([
      'soc:bess_module_1.state_of_charge', 'bess_p:bess_module_1.active_power',
    ]);
  });
});

describe('LiveStore.seedHistory', () => {
  it('puts older historian points before the live ones and drops overlapping ones', () => {
    const store = new LiveStore(() => {});
    store.ingest(T, S('2026-12-04T08:00:10.000Z', 10), 1);
    const t10 = Date.parse('2026-12-04T08:00:10.000Z');
    store.seedHistory(T, [t10 - 2000, t10 - 1000, t10], [8, 9, 99]);
    expect(store.history(T)?.v).toEqual([8, 9, 10]);
    expect(store.get(T)?.value).toBe(10);
  });
});

describe('history queries', () => {
  it('asks for raw points on short ranges and bucketed averages on long ones', async () => {
    const { samplesQuery } = await import('./api');
    const now = new Date(Date.UTC(2026, 11, 4, 12, 0, 0));
    const q15 = new URLSearchParams(samplesQuery('bess_rack_1', 'active_power', '15m', now).split('?')[1]);
    expect(Object.fromEntries(q15)).toEqual({
      device: 'bess_rack_1', measurement: 'active_power', from: '2026-12-04T11:45:00.000Z', to: '2026-12-04T12:00:00.000Z',
    });
    const q7 = new URLSearchParams(samplesQuery('bess_rack_1', 'active_power', '7d', now, 'csv').split('?')[1]);
    expect(q7.get('from')).toBe('2026-11-27T12:00:00.000Z');
    expect(q7.get('bucket')).toBe('1h');
    expect(q7.get('agg')).toBe('avg');
    expect(q7.get('format')).toBe('csv');
    expect(new URLSearchParams(samplesQuery('d1', 'm1', '24h', now).split('?')[1]).get('bucket')).toBe('5m');
  });
});
