// A uPlot chart of one measurement's history: threshold lines, a NOW marker, range buttons and
// CSV export from the historian; raw ranges then grow with the live samples (redrawn every 2 s).
import { useEffect, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { fetchSamples, RANGES, samplesQuery, type RangeKey } from '../lib/api';
import type { MeasurementView } from '../lib/contract';
import { useSite } from '../lib/hooks';
import { mTopic } from '../lib/site';
import { formatValue, unitSymbol } from '../lib/tone';

const THRESHOLD_COLORS: Record<string, string> = {
  warn_min: '#c98a00', warn_max: '#c98a00', alarm_min: '#d0312d', alarm_max: '#d0312d',
};

function overlay(m: MeasurementView): uPlot.Plugin {
  return {
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          const { left, top, width, height } = u.bbox;
          ctx.save();
          ctx.lineWidth = 1 * devicePixelRatio;
          for (const [k, color] of Object.entries(THRESHOLD_COLORS)) {
            const v = (m.thresholds as Record<string, number | null | undefined> | null | undefined)?.[k];
            if (typeof v !== 'number') continue;
            const y = u.valToPos(v, 'y', true);
            if (y < top || y > top + height) continue;
            ctx.strokeStyle = color;
            ctx.setLineDash([6, 4]);
            ctx.beginPath(); ctx.moveTo(left, y); ctx.lineTo(left + width, y); ctx.stroke();
          }
          const x = u.valToPos(Date.now() / 1000, 'x', true);
          if (x >= left && x <= left + width + 1) {
            ctx.strokeStyle = '#2f6fde';
            ctx.setLineDash([]);
            ctx.beginPath(); ctx.moveTo(x, top); ctx.lineTo(x, top + height); ctx.stroke();
            ctx.fillStyle = '#2f6fde';
            ctx.font = `${10 * devicePixelRatio}px sans-serif`;
            ctx.fillText('NOW', x - 26 * devicePixelRatio, top + 10 * devicePixelRatio);
          }
          ctx.restore();
        },
      ],
    },
  };
}

const LIVE_REDRAW_MS = 2000;

export function Chart({ device, name, m }: { device: string; name: string; m: MeasurementView }) {
  const { config, view, bus } = useSite();
  const topic = view ? mTopic(view, device, name, m).topic : '';
  const [range, setRange] = useState<RangeKey>('1h');
  const [state, setState] = useState<{ status: 'loading' | 'ok' | 'error'; points: number; error?: string }>({ status: 'loading', points: 0 });
  const [csvHref, setCsvHref] = useState('');
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    const now = new Date();
    setState({ status: 'loading', points: 0 });
    setCsvHref(`${config.historian_url}${samplesQuery(device, name, range, now, 'csv')}`);
    fetchSamples(config, samplesQuery(device, name, range, now), ac.signal)
      .then((a) => {
        const xs: number[] = [];
        const ys: (number | null)[] = [];
        for (const p of a.points) {
          xs.push(Date.parse(p.ts) / 1000);
          ys.push(typeof p.value === 'number' ? p.value : typeof p.value === 'boolean' ? (p.value ? 1 : 0) : null);
        }
        const el = box.current;
        if (!el) return;
        plot.current?.destroy();
        const span = RANGES[range].ms / 1000;
        // the window follows the clock: NOW stays near the right edge as live points arrive
        const window_ = (): [number, number] => [Date.now() / 1000 - span, Date.now() / 1000 + span / 30];
        plot.current = new uPlot(
          {
            width: Math.max(260, el.clientWidth), height: 180,
            scales: { x: { time: true, range: window_ } },
            series: [{}, { label: `${m.display_name} (${unitSymbol(m.unit) || 'no unit'})`, stroke: '#2f6fde', width: 1.5, spanGaps: false }],
            axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor', size: 76, values: (_u, vals) => vals.map((v) => formatValue(v, m.unit)) }],
            legend: { show: false },
            plugins: [overlay(m)],
          },
          [xs, ys],
          el,
        );
        setState({ status: 'ok', points: a.points.filter((p) => p.value !== null).length });
        // raw ranges grow with the live samples (bucketed ones would mix averages with samples)
        if (!RANGES[range].bucket && topic) {
          let dirty = false;
          const off = bus.store.subscribe(topic, () => {
            const v = bus.store.get(topic);
            if (!v || typeof v.value !== 'number') return;
            const t = Date.parse(v.ts) / 1000;
            if (xs.length && t <= xs[xs.length - 1]) return;
            xs.push(t);
            ys.push(v.value);
            dirty = true;
          });
          const timer = setInterval(() => {
            if (dirty) { dirty = false; plot.current?.setData([xs, ys]); }
          }, LIVE_REDRAW_MS);
          ac.signal.addEventListener('abort', () => { off(); clearInterval(timer); });
        }
      })
      .catch((e: Error) => { if (!ac.signal.aborted) setState({ status: 'error', points: 0, error: e.message }); });
    return () => ac.abort();
  }, [config, device, name, range, m, bus, topic]);

  useEffect(() => () => { plot.current?.destroy(); plot.current = null; }, []);

  return (
    <figure className="chart" data-chart={name} data-status={state.status} data-points={state.points}>
      <figcaption>
        <span>{m.display_name}</span>
        <span className="ranges" role="group" aria-label={`${m.display_name} time range`}>
          {(Object.keys(RANGES) as RangeKey[]).map((k) => (
            <button key={k} type="button" aria-pressed={k === range} onClick={() => setRange(k)}>{RANGES[k].label}</button>
          ))}
          <a href={csvHref} download={`${device}_${name}_${range}.csv`}>CSV</a>
        </span>
      </figcaption>
      <div ref={box} className="chart-box" role="img" aria-label={`${m.display_name} over ${RANGES[range].label}`} />
      {state.status === 'loading' && <p className="muted">Loading history…</p>}
      {state.status === 'error' && <p className="error" role="status">History unavailable: {state.error}</p>}
      {state.status === 'ok' && state.points === 0 && <p className="muted">No samples in this range.</p>}
    </figure>
  );
}
