// The analyst's forecast of a site target beside the historian's actuals (hourly means), labelled
// with the champion model. No champion yet (404): a short note, never a line.
import { useEffect, useMemo, useState } from 'react';
import { fetchSamples, type SamplesAnswer } from '../lib/api';
import type { Unit } from '../lib/contract';
import { fetchForecast, forecastSeries, forecastSourceSeries, modelLabel, type ForecastResult } from '../lib/forecast';
import { useSite } from '../lib/hooks';
import { SeriesChart, type Line } from './SeriesChart';

const HOUR = 3600_000;

export function ForecastPanel({ target, label }: { target: string; label?: string }) {
  const { config } = useSite();
  const [result, setResult] = useState<ForecastResult | null>(null);
  const [actual, setActual] = useState<SamplesAnswer | null>(null);
  const [actualError, setActualError] = useState<string | null>(null);
  useEffect(() => {
    const ac = new AbortController();
    setResult(null); setActual(null); setActualError(null);
    fetchForecast(config.analyst_url, target, ac.signal).then((r) => {
      if (ac.signal.aborted) return;
      setResult(r);
      if (r.kind !== 'ok') return;
      const s = forecastSourceSeries(r.forecast);
      if (!s) return;
      // the actuals of the forecast's first day up to now, as the hourly means the model learns from
      const first = r.forecast.points.length ? Date.parse(r.forecast.points[0].ts) : Date.now();
      const to = new Date();
      const from = new Date(Math.min(first, to.getTime() - 24 * HOUR));
      const q = new URLSearchParams({ device: s.device, measurement: s.measurement, from: from.toISOString(), to: to.toISOString(), bucket: '1h', agg: 'avg' });
      fetchSamples(config, `/samples?${q}`, ac.signal).then(setActual).catch((e: Error) => { if (!ac.signal.aborted) setActualError(e.message); });
    });
    return () => ac.abort();
  }, [config, target]);

  const data = useMemo(() => (result?.kind === 'ok' ? forecastSeries(actual?.points ?? null, result.forecast.points) : null), [result, actual]);
  const lines = useMemo<Line[]>(() => {
    if (!data || result?.kind !== 'ok') return [];
    const out: Line[] = [];
    // actuals only for a forecast made from a historian series (an ERCOT column has none here)
    if (forecastSourceSeries(result.forecast)) out.push({ label: 'actual (1 h mean)', values: data.actual, stroke: '#2f6fde', width: 2 });
    out.push({ label: `forecast ${modelLabel(result.forecast.model)}`, values: data.forecast, stroke: '#c0392b', dash: [6, 4], width: 2 });
    if (data.lower.some((v) => v !== null)) out.push({ label: '80% interval', values: data.lower, stroke: '#e59866', dash: [2, 3], width: 1 });
    if (data.upper.some((v) => v !== null)) out.push({ label: '80% interval (upper)', values: data.upper, stroke: '#e59866', dash: [2, 3], width: 1, legend: false });
    return out;
  }, [data, result]);
  const src = result?.kind === 'ok' ? forecastSourceSeries(result.forecast) : null;
  const status = result === null ? 'loading' : result.kind;
  return (
    <figure className="chart forecast" id={`forecast-${target}`} data-forecast={target} data-status={status}>
      <figcaption>
        <span>{label ? `${label} · ` : ''}forecast <code>{target}</code></span>
        {result?.kind === 'ok' && <span className="muted small" data-model>model {modelLabel(result.forecast.model)}{result.forecast.model.trained_through ? `, trained through ${result.forecast.model.trained_through}` : ''}</span>}
      </figcaption>
      {status === 'loading' && <p className="muted">Loading the forecast…</p>}
      {result?.kind === 'none' && <p className="note" role="status" data-note="no-model">No forecast model yet for {target}. <span className="muted small">{result.detail}</span></p>}
      {result?.kind === 'error' && <p className="error" role="status">Forecast unavailable: {result.message}</p>}
      {result?.kind === 'ok' && data && (
        <>
          <SeriesChart xs={data.xs} lines={lines} unit={(actual?.unit ?? '') as Unit} label={`${label || target}: actuals and forecast ${modelLabel(result.forecast.model)}`} />
          {src && <p className="muted small">Actuals: <a href={`#/device/${encodeURIComponent(src.device)}/${encodeURIComponent(src.measurement)}`}>{src.device} · {src.measurement}</a> (historian, 1 h mean){actualError ? ` - unavailable: ${actualError}` : ''}</p>}
        </>
      )}
    </figure>
  );
}
