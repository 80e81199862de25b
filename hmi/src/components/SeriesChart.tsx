// A small uPlot chart of aligned series (one x axis in seconds), used by the forecast panels and
// the chat's series sources. Draws what it is given: null stays a gap.
import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Unit } from '../lib/contract';
import { formatValue } from '../lib/tone';

export interface Line { label: string; values: (number | null)[]; stroke: string; dash?: number[]; width?: number; points?: boolean; legend?: boolean }

export function SeriesChart({ xs, lines, unit, height = 160, label }: { xs: number[]; lines: Line[]; unit: Unit; height?: number; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const lo = xs.length ? Math.min(...xs) : Date.now() / 1000 - 3600, hi = xs.length ? Math.max(...xs) : Date.now() / 1000;
    const plot = new uPlot(
      {
        width: Math.max(240, el.clientWidth), height,
        // the data's own span; one timestamp (a single bucket) gets half an hour either side
        scales: { x: { time: true, auto: false, range: (): uPlot.Range.MinMax => (lo === hi ? [lo - 1800, hi + 1800] : [lo, hi]) } },
        series: [{}, ...lines.map((l) => ({ label: l.label, stroke: l.stroke, width: l.width ?? 1.5, dash: l.dash, spanGaps: false, points: { show: l.points ?? false, size: 5, fill: l.stroke } }))],
        axes: [{ stroke: 'currentColor' }, { stroke: 'currentColor', size: 76, values: (_u: uPlot, vals: number[]) => vals.map((v) => formatValue(v, unit)) }],
        legend: { show: false },
      },
      [xs, ...lines.map((l) => l.values)] as uPlot.AlignedData,
      el,
    );
    return () => plot.destroy();
  }, [xs, lines, unit, height]);
  return (
    <div>
      <div ref={box} className="chart-box" role="img" aria-label={label} />
      <ul className="legend" aria-hidden="true">
        {lines.filter((l) => l.legend !== false).map((l) => <li key={l.label}><span className="swatch" style={{ borderColor: l.stroke, borderStyle: l.dash ? 'dashed' : 'solid' }} />{l.label}</li>)}
      </ul>
    </div>
  );
}
