// How a value looks to an operator: its tone from the measurement's thresholds, whether it is
// stale or offline, and its text with the unit. Pure functions.
import type { CommStatus, MeasurementView, SampleValue, Thresholds, Unit } from './contract';

export type Tone = 'normal' | 'warn' | 'alarm' | 'none';

const num = (v: number | null | undefined): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * alarm when outside [alarm_min, alarm_max], warn when outside [warn_min, warn_max], else
 * normal; `none` when there is no value or no threshold applies (a missing bound is open).
 */
export function toneFor(value: SampleValue | undefined, thresholds: Thresholds | null | undefined): Tone {
  if (typeof value !== 'number' || !Number.isFinite(value)) return 'none';
  if (!thresholds) return 'none';
  const { warn_min, warn_max, alarm_min, alarm_max } = thresholds;
  if (!num(warn_min) && !num(warn_max) && !num(alarm_min) && !num(alarm_max)) return 'none';
  if ((num(alarm_min) && value < alarm_min) || (num(alarm_max) && value > alarm_max)) return 'alarm';
  if ((num(warn_min) && value < warn_min) || (num(warn_max) && value > warn_max)) return 'warn';
  return 'normal';
}

/** A value is stale when no sample came for max(3 poll periods, 10 s), or 60 s without a poll rate. */
export function staleAfterMs(m: Pick<MeasurementView, 'poll_rate_hz'> | undefined): number {
  const hz = m?.poll_rate_hz;
  if (!num(hz) || hz <= 0) return 60_000;
  return Math.max(3000 / hz, 10_000);
}

export type Freshness = 'live' | 'stale' | 'offline' | 'missing';

/**
 * `missing`: never received; `offline`: the device's comm_status says OFFLINE (its last value is
 * old news whatever its age); `stale`: older than staleAfterMs; else `live`. Age is measured from
 * when the HMI received it (clock skew between the site and the browser does not matter).
 */
export function freshness(receivedAt: number | undefined, now: number, staleMs: number, comm: CommStatus | undefined): Freshness {
  if (receivedAt === undefined) return 'missing';
  if (comm === 'OFFLINE') return 'offline';
  return now - receivedAt > staleMs ? 'stale' : 'live';
}

const UNIT_SYMBOL: Record<Unit, string> = {
  volts: 'V', amps: 'A', watts: 'W', vars: 'var', voltamperes: 'VA', watt_hours: 'Wh', hertz: 'Hz',
  celsius: '°C', percent: '%', watts_per_m2: 'W/m²', meters_per_second: 'm/s', bar: 'bar',
  liters_per_minute: 'L/min', degrees: '°', meters: 'm', seconds: 's', none: '',
};
export const unitSymbol = (u: Unit): string => UNIT_SYMBOL[u] ?? u;

// Units worth an SI prefix on screen (the wire never carries prefixes).
const PREFIXED = new Set<Unit>(['watts', 'vars', 'voltamperes', 'watt_hours', 'volts', 'amps', 'hertz']);

/** The dash every missing value shows: never a 0. */
export const MISSING = '—';

/** "1.23 MW", "49.98 Hz", "ON", "CHARGING"; the dash when there is no value. */
export function formatValue(value: SampleValue | null | undefined, unit: Unit): string {
  if (value === undefined || value === null) return MISSING;
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'string') return value;
  if (!Number.isFinite(value)) return MISSING;
  const sym = unitSymbol(unit);
  let v = value;
  let prefix = '';
  if (PREFIXED.has(unit)) {
    const a = Math.abs(v);
    if (a >= 1e9) { v /= 1e9; prefix = 'G'; }
    else if (a >= 1e6) { v /= 1e6; prefix = 'M'; }
    else if (a >= 1e3) { v /= 1e3; prefix = 'k'; }
  }
  const a = Math.abs(v);
  const digits = a >= 100 ? 1 : a >= 10 ? 2 : 3;
  const text = Number(v.toFixed(digits)).toString();
  return sym || prefix ? `${text} ${prefix}${sym}` : text;
}
