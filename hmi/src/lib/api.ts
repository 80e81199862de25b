// HTTP access to device-api and the historian, with the service URLs from /config.json (written
// at run time by the server, so no host is compiled into the bundle).
import { decodeView, type TopologyView } from './contract';

export interface HmiConfig {
  device_api_url: string;
  historian_url: string;
  mqtt_ws_url: string;
  analyst_url?: string;
}

const trim = (u: string) => u.replace(/\/+$/, '');

export async function loadConfig(): Promise<HmiConfig> {
  const r = await fetch('config.json', { cache: 'no-store' });
  if (!r.ok) throw new Error(`config.json: HTTP ${r.status}`);
  const c = (await r.json()) as Partial<HmiConfig>;
  for (const k of ['device_api_url', 'historian_url', 'mqtt_ws_url'] as const)
    if (typeof c[k] !== 'string' || !c[k]) throw new Error(`config.json: ${k} missing`);
  return {
    ...c, device_api_url: trim(c.device_api_url!), historian_url: trim(c.historian_url!),
    analyst_url: typeof c.analyst_url === 'string' && c.analyst_url ? trim(c.analyst_url) : undefined,
  } as HmiConfig;
}

async function problem(r: Response, what: string): Promise<Error> {
  let detail = '';
  try {
    const p = await r.json();
    detail = p.detail || p.title || '';
  } catch { /* not JSON */ }
  return new Error(`${what}: HTTP ${r.status}${detail ? ` - ${detail}` : ''}`);
}

export async function fetchView(cfg: HmiConfig): Promise<TopologyView> {
  const r = await fetch(`${cfg.device_api_url}/topology/view`, { cache: 'no-store' });
  if (!r.ok) throw await problem(r, 'topology view');
  const d = decodeView(await r.json());
  if (!d.ok) throw new Error(`topology view: ${d.error}`);
  return d.value;
}

export async function fetchSld(cfg: HmiConfig): Promise<string> {
  const r = await fetch(`${cfg.device_api_url}/topology/sld.svg`, { cache: 'no-store' });
  if (!r.ok) throw await problem(r, 'single-line diagram');
  return r.text();
}

export type RangeKey = '15m' | '1h' | '24h' | '7d';
export const RANGES: Record<RangeKey, { ms: number; bucket: string | null; label: string }> = {
  '15m': { ms: 15 * 60_000, bucket: null, label: '15 min' },
  '1h': { ms: 3600_000, bucket: null, label: '1 h' },
  '24h': { ms: 24 * 3600_000, bucket: '5m', label: '24 h' },
  '7d': { ms: 7 * 24 * 3600_000, bucket: '1h', label: '7 d' },
};

/** The query of one chart: raw points for short ranges, bucketed averages for long ones. */
export function samplesQuery(device: string, measurement: string, range: RangeKey, now: Date, format?: 'csv'): string {
  const r = RANGES[range];
  const q = new URLSearchParams({
    device, measurement, from: new Date(now.getTime() - r.ms).toISOString(), to: now.toISOString(),
  });
  if (r.bucket) { q.set('bucket', r.bucket); q.set('agg', 'avg'); }
  if (format) q.set('format', format);
  return `/samples?${q}`;
}

export interface SamplesAnswer {
  device_id: string; measurement: string; unit: string; value_type: string;
  from: string; to: string; bucket: string | null; agg: string | null; tier?: string;
  points: { ts: string; value: number | boolean | string | null }[];
}

export async function fetchSamples(cfg: HmiConfig, path: string, signal?: AbortSignal): Promise<SamplesAnswer> {
  const r = await fetch(`${cfg.historian_url}${path}`, { signal });
  if (!r.ok) throw await problem(r, 'history');
  const a = (await r.json()) as SamplesAnswer;
  if (!Array.isArray(a.points)) throw new Error('history: answer without points');
  return a;
}

export interface HistoricCommand {
  command_id: string; device_id: string; verb: string; target: string; unit: string;
  value: number | boolean | string | null; ts: string; state: string | null;
  acks: { state: string; ts: string; reason?: string }[];
}

export async function fetchCommandHistory(cfg: HmiConfig, device: string, signal?: AbortSignal): Promise<HistoricCommand[]> {
  const r = await fetch(`${cfg.historian_url}/commands?device=${encodeURIComponent(device)}`, { signal });
  if (!r.ok) throw await problem(r, 'command history');
  const a = await r.json();
  if (!Array.isArray(a.commands)) throw new Error('command history: answer without commands');
  return a.commands as HistoricCommand[];
}
