// The analyst's forecasts (GET {analyst_url}/forecast?target=site_pv|site_load) and their mapping
// onto one time axis with the historian's actuals, for a chart that draws both.
import type { SamplesAnswer } from './api';

export interface ForecastPoint { ts: string; value: number | null; lower?: number | null; upper?: number | null; horizon?: string }
export interface ForecastAnswer {
  target: string;
  model: { id?: number; name?: string; version?: number; trained_through?: string };
  from?: string; to?: string; source?: string;
  points: ForecastPoint[];
}

/** ok: a champion's forecast; none: 404, no champion trained yet (detail says why); error: anything else. */
export type ForecastResult =
  | { kind: 'ok'; forecast: ForecastAnswer }
  | { kind: 'none'; detail: string }
  | { kind: 'error'; message: string };

export async function fetchForecast(analystUrl: string | undefined, target: string, signal?: AbortSignal): Promise<ForecastResult> {
  if (!analystUrl) return { kind: 'error', message: 'config.json has no analyst_url' };
  let r: Response;
  try {
    r = await fetch(`${analystUrl.replace(/\/+$/, '')}/forecast?target=${encodeURIComponent(target)}`, { signal });
  } catch (e) {
    return { kind: 'error', message: `the analyst cannot be reached (${(e as Error).message})` };
  }
  let body: unknown = null;
  try { body = await r.json(); } catch { /* not JSON */ }
  const b = body as { detail?: string; title?: string; points?: unknown } | null;
  if (r.status === 404) return { kind: 'none', detail: b?.detail || b?.title || 'no champion model' };
  if (!r.ok) return { kind: 'error', message: `the analyst answered HTTP ${r.status}${b?.detail ? `: ${b.detail}` : ''}` };
  if (!b || !Array.isArray(b.points)) return { kind: 'error', message: 'the forecast answer has no points' };
  return { kind: 'ok', forecast: b as ForecastAnswer };
}

/** "gbt v3 (id 12)" */
export function modelLabel(m: ForecastAnswer['model']): string {
  const name = m.name || 'model';
  return `${name}${m.version != null ? ` v${m.version}` : ''}${m.id != null ? ` (id ${m.id})` : ''}`;
}

/** The historian series a site forecast is made from: its `source` reads "historian URL device/measurement (1h avg)". */
export function forecastSourceSeries(f: ForecastAnswer): { device: string; measurement: string } | null {
  const m = /^historian \S+ ([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)/.exec(f.source ?? '');
  return m ? { device: m[1], measurement: m[2] } : null;
}

const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export interface ChartSeries {
  xs: number[];                 // seconds, ascending, the union of both series' timestamps
  actual: (number | null)[];
  forecast: (number | null)[];
  lower: (number | null)[];
  upper: (number | null)[];
}

/**
 * The actuals and the forecast on one x axis (uPlot's aligned data): every timestamp of either,
 * ascending, with null where a series has no point (nothing is interpolated or invented).
 */
export function forecastSeries(actual: SamplesAnswer['points'] | null, forecast: ForecastPoint[]): ChartSeries {
  const byT = new Map<number, { a: number | null; f: number | null; lo: number | null; hi: number | null }>();
  const at = (ts: string) => {
    const t = Date.parse(ts) / 1000;
    if (!Number.isFinite(t)) return null;
    let row = byT.get(t);
    if (!row) byT.set(t, (row = { a: null, f: null, lo: null, hi: null }));
    return row;
  };
  for (const p of actual ?? []) { const row = at(p.ts); if (row) row.a = num(p.value); }
  for (const p of forecast) {
    const row = at(p.ts);
    if (!row) continue;
    row.f = num(p.value); row.lo = num(p.lower); row.hi = num(p.upper);
  }
  const xs = [...byT.keys()].sort((a, b) => a - b);
  const out: ChartSeries = { xs, actual: [], forecast: [], lower: [], upper: [] };
  for (const t of xs) {
    const r = byT.get(t)!;
    out.actual.push(r.a); out.forecast.push(r.f); out.lower.push(r.lo); out.upper.push(r.hi);
  }
  return out;
}
