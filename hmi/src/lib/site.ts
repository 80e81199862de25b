// What the pages derive from the topology view: the device tree, the KPIs, the measurement that
// stands for a device's power on the diagram, and topic lists. Pure functions.
import {
  commStatusTopic, deviceMeasurements, measurementTopic, type MeasurementView, type TopologyView,
} from './contract';
import type { ValueType } from './live';

export interface TopicRef { topic: string; type: ValueType }

export const mTopic = (view: TopologyView, device: string, name: string, m: MeasurementView): TopicRef => ({
  topic: measurementTopic(view.site_id, device, name, m.unit),
  type: m.type,
});
export const commTopic = (view: TopologyView, device: string): TopicRef => ({
  topic: commStatusTopic(view.site_id, device),
  type: 'enum',
});

export interface Kpi { key: string; label: string; device: string; measurement: string; view: MeasurementView }

// Site KPIs by template and measurement (devices are data: the first device of the template).
const KPI_SPECS: { key: string; label: string; templates: string[]; measurements: string[] }[] = [
  { key: 'poi', label: 'POI import (+) / export (−)', templates: ['poi_meter'], measurements: ['active_power'] },
  { key: 'pv', label: 'PV production', templates: ['grid_module', 'pv_inverter'], measurements: ['pv_active_power', 'active_power'] },
  { key: 'soc', label: 'BESS state of charge', templates: ['bess_module', 'bess_rack'], measurements: ['state_of_charge'] },
  { key: 'bess_p', label: 'BESS power', templates: ['bess_module', 'bess_rack'], measurements: ['active_power'] },
  { key: 'load', label: 'Datacenter load', templates: ['compute_module'], measurements: ['total_power'] },
  { key: 'line', label: 'Line loading (of rating)', templates: ['dlr_line'], measurements: ['line_loading'] },
  { key: 'line_i', label: 'Line current', templates: ['line_meter', 'conductor_sensor'], measurements: ['line_current'] },
];

export function siteKpis(view: TopologyView): Kpi[] {
  const out: Kpi[] = [];
  const devices = Object.values(view.devices).sort((a, b) => a.device_id.localeCompare(b.device_id, 'en', { numeric: true }));
  for (const spec of KPI_SPECS) {
    found: for (const tpl of spec.templates)
      for (const d of devices) {
        if (d.template !== tpl) continue;
        for (const name of spec.measurements) {
          const m = deviceMeasurements(view, d.device_id).find((x) => x.name === name);
          if (m) { out.push({ key: spec.key, label: spec.label, device: d.device_id, measurement: name, view: m.view }); break found; }
        }
      }
  }
  return out;
}

const POWER_NAMES = ['active_power', 'net_active_power', 'total_power', 'power_consumed', 'input_power', 'pv_active_power', 'dc_power'];

/**
 * What a device of the diagram may show, best first: its power measurements, then its other
 * floats (at most `max`). The diagram shows the first one that has a value, since some are
 * published by services that may not run (line-controller's net power of the grid module).
 */
export function displayCandidates(view: TopologyView, device: string, max = 6) {
  const floats = deviceMeasurements(view, device).filter((x) => x.view.type === 'float');
  const power = POWER_NAMES.map((n) => floats.find((x) => x.name === n)).filter((x) => x !== undefined);
  return [...power, ...floats.filter((x) => !POWER_NAMES.includes(x.name))].slice(0, max);
}

const BREAKER_NAMES = ['breaker_state', 'breaker_closed', 'contactor_state'];
export function breakerMeasurement(view: TopologyView, device: string) {
  return deviceMeasurements(view, device).find((x) => BREAKER_NAMES.includes(x.name));
}

/** Thresholded float measurements of every device (what "values in alarm" watches). */
export function thresholded(view: TopologyView): { device: string; name: string; view: MeasurementView }[] {
  const out: { device: string; name: string; view: MeasurementView }[] = [];
  for (const id of Object.keys(view.devices))
    for (const m of deviceMeasurements(view, id))
      if (m.view.type === 'float' && m.view.thresholds) out.push({ device: id, name: m.name, view: m.view });
  return out;
}

export interface TreeNode { id: string; depth: number; children: TreeNode[] }

/** The device tree from the parent chains, roots and children sorted naturally by id. */
export function deviceTree(view: TopologyView): TreeNode[] {
  const kids = new Map<string | null, string[]>();
  for (const d of Object.values(view.devices)) {
    const p = d.parent && view.devices[d.parent] ? d.parent : null;
    if (!kids.has(p)) kids.set(p, []);
    kids.get(p)!.push(d.device_id);
  }
  const cmp = (a: string, b: string) => a.localeCompare(b, 'en', { numeric: true });
  const build = (id: string, depth: number, seen: Set<string>): TreeNode => {
    seen.add(id);
    return {
      id, depth,
      children: (kids.get(id) ?? []).filter((c) => !seen.has(c)).sort(cmp).map((c) => build(c, depth + 1, seen)),
    };
  };
  const seen = new Set<string>();
  return (kids.get(null) ?? []).sort(cmp).map((r) => build(r, 0, seen));
}

/** What a module row of the module browser shows: its float roll-ups (at most 8). */
export function moduleRollups(view: TopologyView, device: string) {
  const d = view.devices[device];
  if (!d || view.templates_used[d.template]?.kind !== 'module') return [];
  return deviceMeasurements(view, device).filter((m) => m.view.type === 'float').slice(0, 8);
}
