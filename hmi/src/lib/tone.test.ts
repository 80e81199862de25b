import { describe, expect, it } from 'vitest';
import { formatValue, freshness, MISSING, staleAfterMs, toneFor } from './tone';

describe('toneFor', () => {
  const th = { alarm_min: 5, warn_min: 10, warn_max: 90, alarm_max: 95 };
  it('derives normal / warn / alarm with inclusive limits', () => {
    expect(toneFor(50, th)).toBe('normal');
    expect(toneFor(10, th)).toBe('normal');
    expect(toneFor(9.9, th)).toBe('warn');
    expect(toneFor(90.1, th)).toBe('warn');
    expect(toneFor(95, th)).toBe('warn');
    expect(toneFor(95.01, th)).toBe('alarm');
    expect(toneFor(4, th)).toBe('alarm');
  });
  it('treats a missing limit as open and no value as none', () => {
    expect(toneFor(1000, { warn_max: 900 })).toBe('warn');
    expect(toneFor(-1e9, { warn_max: 900 })).toBe('normal');
    expect(toneFor(undefined, th)).toBe('none');
    expect(toneFor(NaN, th)).toBe('none');
    expect(toneFor('CHARGING', th)).toBe('none');
    expect(toneFor(5, null)).toBe('none');
    expect(toneFor(5, { warn_min: null, alarm_max: null })).toBe('none');
  });
});

describe('freshness', () => {
  it('marks missing, offline, stale and live', () => {
    expect(freshness(undefined, 1000, 10_000, 'ONLINE')).toBe('missing');
    expect(freshness(900, 1000, 10_000, 'OFFLINE')).toBe('offline');
    expect(freshness(0, 20_001, 10_000, 'ONLINE')).toBe('stale');
    expect(freshness(15_000, 20_000, 10_000, undefined)).toBe('live');
  });
  it('waits three poll periods, at least 10 s', () => {
    expect(staleAfterMs({ poll_rate_hz: 10 })).toBe(10_000);
    expect(staleAfterMs({ poll_rate_hz: 0.1 })).toBe(30_000);
    expect(staleAfterMs({ poll_rate_hz: null })).toBe(60_000);
  });
});

describe('formatValue', () => {
  it('never shows 0 for a missing value', () => {
    expect(formatValue(undefined, 'watts')).toBe(MISSING);
    expect(formatValue(null, 'watts')).toBe(MISSING);
    expect(formatValue(NaN, 'watts')).toBe(MISSING);
    expect(formatValue(0, 'watts')).toBe('0 W');
  });
  it('uses SI prefixes on screen only', () => {
    expect(formatValue(-1_250_000, 'watts')).toBe('-1.25 MW');
    expect(formatValue(49.987, 'hertz')).toBe('49.99 Hz');
    expect(formatValue(55.5, 'percent')).toBe('55.5 %');
    expect(formatValue(3, 'none')).toBe('3');
    expect(formatValue('CHARGING', 'none')).toBe('CHARGING');
    expect(formatValue(true, 'none')).toBe('true');
  });
});
