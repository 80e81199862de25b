// A series an answer's sources read, drawn small from the historian (the tool's range when it
// gave one, else the last 24 hours; 5-minute means, or the raw samples when there are fewer than
// three means), with a link to the device chart.
import { useEffect, useMemo, useState } from 'react';
import { fetchSamples, type SamplesAnswer } from '../lib/api';
import type { Unit } from '../lib/contract';
import { useSite } from '../lib/hooks';
import { SeriesChart } from './SeriesChart';

const DAY = 24 * 3600_000;

export function SeriesSource({ device, measurement, from, to }: { device: string; measurement: string; from?: string; to?: string }) {
  const { config, view } = useSite();
  const [a, setA] = useState<SamplesAnswer | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const ac = new AbortController();
    const end = to && Number.isFinite(Date.parse(to)) ? new Date(Date.parse(to)) : new Date();
    const start = from && Number.isFinite(Date.parse(from)) ? new Date(Date.parse(from)) : new Date(end.getTime() - DAY);
    const span = end.getTime() - start.getTime();
    const q = new URLSearchParams({ device, measurement, from: start.toISOString(), to: end.toISOString(), bucket: span > 3 * DAY ? '1h' : '5m', agg: 'avg' });
    fetchSamples(config, `/samples?${q}`, ac.signal)
      .then(async (b) => {
        // a series younger than a few buckets (a fresh site): its raw samples show its shape
        if (b.points.filter((p) => typeof p.value === 'number').length >= 3) return b;
        q.delete('bucket'); q.delete('agg');
        return fetchSamples(config, `/samples?${q}`, ac.signal).catch(() => b);
      })
      .then(setA)
      .catch((e: Error) => { if (!ac.signal.aborted) setError(e.message); });
    return () => ac.abort();
  }, [config, device, measurement, from, to]);
  // the buckets from the first to the last with a value: a series younger than the range is
  // drawn over the time it has, not as a dot at the edge
  const pts = useMemo(() => {
    const all = a?.points ?? [];
    const first = all.findIndex((p) => typeof p.value === 'number');
    let last = all.length - 1;
    while (last >= 0 && typeof all[last].value !== 'number') last--;
    return first < 0 ? [] : all.slice(first, last + 1);
  }, [a]);
  const xs = useMemo(() => pts.map((p) => Date.parse(p.ts) / 1000), [pts]);
  const lines = useMemo(() => [{ label: measurement, values: pts.map((p) => (typeof p.value === 'number' ? p.value : null)), stroke: '#2f6fde', points: pts.length < 30 }], [pts, measurement]);
  const name = view?.devices[device]?.display_name ?? device;
  const points = a ? a.points.filter((p) => p.value !== null).length : 0;
  return (
    <figure className="chart small-chart" data-series={`${device}/${measurement}`} data-status={error ? 'error' : a ? 'ok' : 'loading'} data-points={points}>
      <figcaption><a href={`#/device/${encodeURIComponent(device)}/${encodeURIComponent(measurement)}`}>{name} · {measurement}</a>{a && <span className="muted small">{a.bucket ? `${a.bucket} ${a.agg}` : 'raw samples'}</span>}</figcaption>
      {error && <p className="error" role="status">History unavailable: {error}</p>}
      {a && points === 0 && <p className="muted">No samples in this range.</p>}
      {a && points > 0 && <SeriesChart xs={xs} lines={lines} unit={a.unit as Unit} height={120} label={`${name} ${measurement} history`} />}
    </figure>
  );
}
