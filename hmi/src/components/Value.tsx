import type { CommStatus, MeasurementView } from '../lib/contract';
import { useLive } from '../lib/hooks';
import { formatValue, freshness, MISSING, staleAfterMs, toneFor } from '../lib/tone';

/** One live value: text with unit, tone from thresholds, and stale/offline/missing marking. */
export function Value({ topic, m, comm, now }: { topic: string; m: MeasurementView; comm?: CommStatus; now: number }) {
  const live = useLive(topic);
  const f = freshness(live?.receivedAt, now, staleAfterMs(m), comm);
  const tone = f === 'live' ? toneFor(live?.value, m.thresholds) : 'none';
  const text = live ? formatValue(live.value, m.unit) : MISSING;
  const note = f === 'missing' ? 'no data' : f === 'offline' ? 'device offline' : f === 'stale' ? 'stale' : tone === 'warn' || tone === 'alarm' ? tone : '';
  return (
    <span className={`value tone-${tone} fresh-${f}`} data-topic={topic} data-freshness={f} data-tone={tone}
      title={live ? `${live.ts}${note ? ` (${note})` : ''}` : 'no data received'}>
      <span className="value-text">{text}</span>
      {note && <span className="value-note">{note}</span>}
    </span>
  );
}

export function CommBadge({ status }: { status: string | undefined }) {
  const s = status ?? 'UNKNOWN';
  return <span className={`badge comm-${s.toLowerCase()}`} data-comm={s} aria-label={`communication ${s.toLowerCase()}`}>{s === 'UNKNOWN' ? 'no status' : s}</span>;
}

/** A tiny SVG sparkline of a numeric history (no axes). */
export function Sparkline({ t, v, width = 140, height = 32 }: { t?: number[]; v?: number[]; width?: number; height?: number }) {
  if (!t || !v || t.length < 2) return <svg className="sparkline empty" width={width} height={height} aria-hidden="true" />;
  const t0 = t[0], t1 = t[t.length - 1];
  let lo = Infinity, hi = -Infinity;
  for (const x of v) { if (x < lo) lo = x; if (x > hi) hi = x; }
  if (hi === lo) { hi += 1; lo -= 1; }
  const pts = t.map((x, i) => `${(((x - t0) / (t1 - t0 || 1)) * (width - 2) + 1).toFixed(1)},${(height - 2 - ((v[i] - lo) / (hi - lo)) * (height - 4)).toFixed(1)}`).join(' ');
  return (
    <svg className="sparkline" width={width} height={height} aria-hidden="true">
      <polyline points={pts} fill="none" stroke="currentColor" strokeWidth="1.5" />
    </svg>
  );
}
