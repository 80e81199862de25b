// The EMS contract as the HMI sees it (CONTRACT.md sections 2-4 and the device-api view):
// topic grammar, payload shapes and their checked decoding, the sanitized topology view.
// Everything here is pure: no I/O, no React.

export const UNITS = [
  'volts', 'amps', 'watts', 'vars', 'voltamperes', 'watt_hours', 'hertz', 'celsius', 'percent',
  'watts_per_m2', 'meters_per_second', 'bar', 'liters_per_minute', 'degrees', 'meters', 'seconds',
  'none',
] as const;
export type Unit = (typeof UNITS)[number];

export const VERBS = ['set', 'reset', 'clear', 'start', 'stop', 'enable', 'disable'] as const;
export type Verb = (typeof VERBS)[number];

export const ACK_STATES = ['received', 'accepted', 'done', 'failed', 'rejected', 'timeout'] as const;
export type AckState = (typeof ACK_STATES)[number];
export const TERMINAL_ACK_STATES: readonly AckState[] = ['done', 'failed', 'rejected', 'timeout'];

export const COMM_STATUSES = ['ONLINE', 'DEGRADED', 'OFFLINE'] as const;
export type CommStatus = (typeof COMM_STATUSES)[number];
export const COMM_STATUS = 'comm_status';

/** RFC 3339 UTC with a Z suffix (the contract's T). */
export type Timestamp = string;

export interface FloatSample { ts: Timestamp; value: number }
export interface BooleanSample { ts: Timestamp; value: boolean }
export interface EnumSample { ts: Timestamp; value: string }
export interface TriggerSample { ts: Timestamp }
export type Sample = FloatSample | BooleanSample | EnumSample;
export type SampleValue = number | boolean | string;
export type CommandPayload = (FloatSample | BooleanSample | EnumSample | TriggerSample) & {
  command_id: string;
};
export interface Ack { ts: Timestamp; command_id: string; state: AckState; reason?: string }
export interface TopologyChanged { ts: Timestamp; version: string }
export interface ServiceStatus { ts: Timestamp; value: 'ONLINE' | 'OFFLINE' }

const SLUG = /^[a-z][a-z0-9_]{0,62}[a-z0-9]$/;
const SERVICE_ID = /^[a-z][a-z0-9-]*$/;
// 2026-11-26T07:05:11.123Z; fractional digits optional so a producer with second precision is
// still shown (the value is what matters to an operator), any offset other than Z is refused.
const TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export const isSlug = (s: string): boolean => SLUG.test(s);
export const isUnit = (s: string): s is Unit => (UNITS as readonly string[]).includes(s);
export const isVerb = (s: string): s is Verb => (VERBS as readonly string[]).includes(s);
export const isTimestamp = (s: unknown): s is Timestamp =>
  typeof s === 'string' && TIMESTAMP.test(s) && !Number.isNaN(Date.parse(s));

// ---- topics ----

export type Topic =
  | { family: 'measurements'; site: string; device: string; measurement: string; unit: Unit }
  | { family: 'commands' | 'acks'; site: string; device: string; verb: Verb; target: string; unit: Unit }
  | { family: 'system'; event: string }
  | { family: 'services'; service: string };

/** Parses a topic by the contract's grammar; null for anything else (wrong depth, family, slug). */
export function parseTopic(topic: string): Topic | null {
  const p = topic.split('/');
  if (p.length === 2 && p[0] === 'system') return isSlug(p[1]) ? { family: 'system', event: p[1] } : null;
  if (p.length === 3 && p[0] === 'services' && p[2] === 'status')
    return SERVICE_ID.test(p[1]) ? { family: 'services', service: p[1] } : null;
  if (p[0] !== 'sites' || p[2] !== 'devices' || !isSlug(p[1]) || !isSlug(p[3])) return null;
  if (p[4] === 'measurements' && p.length === 7) {
    if (!isSlug(p[5]) || !isUnit(p[6])) return null;
    return { family: 'measurements', site: p[1], device: p[3], measurement: p[5], unit: p[6] };
  }
  if ((p[4] === 'commands' || p[4] === 'acks') && p.length === 8) {
    if (!isVerb(p[5]) || !isSlug(p[6]) || !isUnit(p[7])) return null;
    return { family: p[4], site: p[1], device: p[3], verb: p[5], target: p[6], unit: p[7] };
  }
  return null;
}

export const measurementTopic = (site: string, device: string, measurement: string, unit: Unit) =>
  `sites/${site}/devices/${device}/measurements/${measurement}/${unit}`;
export const commandTopic = (site: string, device: string, verb: Verb, target: string, unit: Unit) =>
  `sites/${site}/devices/${device}/commands/${verb}/${target}/${unit}`;
export const ackTopic = (site: string, device: string, verb: Verb, target: string, unit: Unit) =>
  `sites/${site}/devices/${device}/acks/${verb}/${target}/${unit}`;
export const commStatusTopic = (site: string, device: string) =>
  measurementTopic(site, device, COMM_STATUS, 'none');
export const TOPOLOGY_CHANGED_TOPIC = 'system/topology_changed';
/** One level, the service id: services/{service_id}/status (never a multi-level wildcard). */
export const SERVICES_STATUS_FILTER = 'services/+/status';

// ---- payloads ----

export type Decoded<T> = { ok: true; value: T } | { ok: false; error: string };
const fail = <T>(error: string): Decoded<T> => ({ ok: false, error });

function parseObject(text: string): Record<string, unknown> | string {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    return 'not JSON';
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return 'not a JSON object';
  return v as Record<string, unknown>;
}

/** A measurement sample of the given value type (from the view); anything else is an error. */
export function decodeSample(text: string, type: 'float' | 'bool' | 'enum'): Decoded<Sample> {
  const o = parseObject(text);
  if (typeof o === 'string') return fail(o);
  if (!isTimestamp(o.ts)) return fail('ts is not an RFC 3339 UTC timestamp');
  const v = o.value;
  if (type === 'float' && !(typeof v === 'number' && Number.isFinite(v))) return fail('value is not a finite number');
  if (type === 'bool' && typeof v !== 'boolean') return fail('value is not a boolean');
  if (type === 'enum' && typeof v !== 'string') return fail('value is not an enum label');
  return { ok: true, value: { ts: o.ts, value: v as SampleValue } as Sample };
}

export function decodeAck(text: string): Decoded<Ack> {
  const o = parseObject(text);
  if (typeof o === 'string') return fail(o);
  if (!isTimestamp(o.ts)) return fail('ts is not an RFC 3339 UTC timestamp');
  if (typeof o.command_id !== 'string' || o.command_id === '') return fail('command_id missing');
  if (typeof o.state !== 'string' || !(ACK_STATES as readonly string[]).includes(o.state))
    return fail('state is not an ack state');
  if (o.reason !== undefined && typeof o.reason !== 'string') return fail('reason is not text');
  const ack: Ack = { ts: o.ts, command_id: o.command_id, state: o.state as AckState };
  if (typeof o.reason === 'string') ack.reason = o.reason;
  return { ok: true, value: ack };
}

export function decodeTopologyChanged(text: string): Decoded<TopologyChanged> {
  const o = parseObject(text);
  if (typeof o === 'string') return fail(o);
  if (!isTimestamp(o.ts)) return fail('ts is not an RFC 3339 UTC timestamp');
  if (typeof o.version !== 'string' || !/^\d+\.\d+\.\d+$/.test(o.version)) return fail('version is not semver');
  return { ok: true, value: { ts: o.ts, version: o.version } };
}

export function decodeServiceStatus(text: string): Decoded<ServiceStatus> {
  const o = parseObject(text);
  if (typeof o === 'string') return fail(o);
  if (!isTimestamp(o.ts)) return fail('ts is not an RFC 3339 UTC timestamp');
  if (o.value !== 'ONLINE' && o.value !== 'OFFLINE') return fail('value is not ONLINE or OFFLINE');
  return { ok: true, value: { ts: o.ts, value: o.value } };
}

/** Contract timestamp with millisecond precision and Z. */
export const toTimestamp = (d: Date): Timestamp => d.toISOString();

export function encodeCommand(value: SampleValue | undefined, commandId: string, now: Date): string {
  const body: Record<string, unknown> = { ts: toTimestamp(now), command_id: commandId };
  if (value !== undefined) body.value = value;
  return JSON.stringify(body);
}

// ---- the topology view (device-api GET /topology/view) ----

export interface Bounds { min?: number | null; max?: number | null; nominal?: number | null }
export interface Thresholds {
  warn_min?: number | null; warn_max?: number | null; alarm_min?: number | null; alarm_max?: number | null;
}
export interface MeasurementView {
  unit: Unit;
  type: 'float' | 'bool' | 'enum';
  poll_rate_hz?: number | null;
  display_name: string;
  iec_61850_ref?: string | null;
  bounds?: Bounds | null;
  thresholds?: Thresholds | null;
  enum_values?: string[] | null;
}
export interface CommandView {
  verb: Verb;
  target: string;
  unit: Unit;
  payload: 'float' | 'bool' | 'enum' | 'trigger';
  display_name: string;
}
export interface DeviceView {
  device_id: string;
  template: string;
  parent: string | null;
  display_name: string;
  children: string[];
  extra_measurements?: Record<string, MeasurementView> | null;
}
export interface BusView { bus_id: string; type: 'ac' | 'dc'; members: { device_id: string; terminal?: string | null }[] }
export interface TemplateView {
  template: string;
  kind: 'leaf' | 'module';
  vendor?: string | null;
  model?: string | null;
  description?: string | null;
  measurements: Record<string, MeasurementView>;
  commands: Record<string, CommandView>;
}
export interface TopologyView {
  site_id: string;
  site_display_name?: string | null;
  version: string;
  ems_mode?: string;
  roots: string[];
  devices: Record<string, DeviceView>;
  buses: BusView[];
  templates_used: Record<string, TemplateView>;
}

/** Checks the parts of a view the HMI relies on; a clear message for anything else. */
export function decodeView(v: unknown): Decoded<TopologyView> {
  if (typeof v !== 'object' || v === null) return fail('view is not an object');
  const o = v as Record<string, unknown>;
  if (typeof o.site_id !== 'string') return fail('view.site_id missing');
  if (typeof o.version !== 'string') return fail('view.version missing');
  if (typeof o.devices !== 'object' || o.devices === null) return fail('view.devices missing');
  if (typeof o.templates_used !== 'object' || o.templates_used === null) return fail('view.templates_used missing');
  const view = o as unknown as TopologyView;
  for (const [id, d] of Object.entries(view.devices)) {
    if (!d || typeof d.template !== 'string') return fail(`view.devices.${id}.template missing`);
    if (!view.templates_used[d.template]) return fail(`view.devices.${id}: template ${d.template} not in templates_used`);
  }
  if (!Array.isArray(view.roots)) view.roots = Object.values(view.devices).filter((d) => !d.parent).map((d) => d.device_id);
  if (!Array.isArray(view.buses)) view.buses = [];
  return { ok: true, value: view };
}

export interface MeasurementRef { name: string; view: MeasurementView }

/** Every measurement a device has: its template's, then its extra ones (same order each time). */
export function deviceMeasurements(view: TopologyView, deviceId: string): MeasurementRef[] {
  const d = view.devices[deviceId];
  if (!d) return [];
  const t = view.templates_used[d.template];
  const out: MeasurementRef[] = Object.entries(t?.measurements ?? {}).map(([name, m]) => ({ name, view: m }));
  for (const [name, m] of Object.entries(d.extra_measurements ?? {})) {
    const i = out.findIndex((r) => r.name === name);
    if (i >= 0) out[i] = { name, view: m };
    else out.push({ name, view: m });
  }
  return out;
}

export function deviceCommands(view: TopologyView, deviceId: string): { name: string; view: CommandView }[] {
  const d = view.devices[deviceId];
  const t = d && view.templates_used[d.template];
  return Object.entries(t?.commands ?? {}).map(([name, c]) => ({ name, view: c }));
}

/** The measurement a command target names on a device, if any. */
export function commandTargetMeasurement(view: TopologyView, deviceId: string, target: string): MeasurementView | undefined {
  return deviceMeasurements(view, deviceId).find((m) => m.name === target)?.view;
}
