import { useEffect, useMemo, useRef, useState } from 'react';
import { Chart } from '../components/Chart';
import { CommandsPanel } from '../components/Commands';
import { CommBadge, Value } from '../components/Value';
import { deviceMeasurements, type CommStatus, type MeasurementView } from '../lib/contract';
import { useLive, useNow, useSite, useWatch } from '../lib/hooks';
import { commTopic, mTopic } from '../lib/site';
import { formatValue } from '../lib/tone';

/** Mounts the chart when it scrolls near the viewport: a page of 40 measurements fetches lazily. */
function LazyChart({ focused, ...props }: { device: string; name: string; m: MeasurementView; focused?: boolean }) {
  const ref = useRef<HTMLDivElement>(null);
  const [shown, setShown] = useState(!!focused);
  // a link to this chart (#/device/<id>/<measurement>) scrolls it into view
  useEffect(() => { if (focused) ref.current?.scrollIntoView({ block: 'center' }); }, [focused]);
  useEffect(() => {
    const el = ref.current;
    if (!el || shown) return;
    const io = new IntersectionObserver((es) => { if (es.some((e) => e.isIntersecting)) setShown(true); }, { rootMargin: '200px' });
    io.observe(el);
    return () => io.disconnect();
  }, [shown]);
  return <div ref={ref} className={`chart-slot${focused ? ' focused' : ''}`} data-focused={focused || undefined}>{shown ? <Chart {...props} /> : <div className="chart-placeholder" />}</div>;
}

export function Device({ id, focus }: { id: string; focus?: string }) {
  const { view } = useSite();
  const now = useNow(1000);
  const d = view!.devices[id];
  const ms = useMemo(() => (d ? deviceMeasurements(view!, id) : []), [view, id, d]);
  const topics = useMemo(() => (d ? [commTopic(view!, id), ...ms.map((m) => mTopic(view!, id, m.name, m.view))] : []), [view, id, ms, d]);
  useWatch(topics);
  const comm = useLive(d ? commTopic(view!, id).topic : undefined)?.value as CommStatus | undefined;
  if (!d) return <div className="page"><h1>Unknown device</h1><p>No device <code>{id}</code> in topology version {view!.version}.</p></div>;
  const t = view!.templates_used[d.template];
  const parent = d.parent ? view!.devices[d.parent] : null;
  return (
    <div className="page device" data-device={id}>
      <h1>{d.display_name} <CommBadge status={comm} /></h1>
      <p className="muted">
        {id} · {t.vendor ?? ''} {t.model ?? ''} ({d.template})
        {parent && <> · in <a href={`#/device/${parent.device_id}`}>{parent.display_name}</a></>}
        {d.children.length > 0 && <> · {d.children.length} children</>}
      </p>
      {comm === 'OFFLINE' && <p className="banner offline" role="status">This device is OFFLINE: the values below are its last known ones.</p>}
      <div className="columns">
        <section className="panel" aria-labelledby="m-h">
          <h2 id="m-h">Measurements</h2>
          <table className="measurements">
            <thead><tr><th scope="col">measurement</th><th scope="col">value</th><th scope="col" className="hide-narrow">alarm / warn limits</th></tr></thead>
            <tbody>
              {ms.map((m) => (
                <tr key={m.name} data-measurement={m.name}>
                  <th scope="row" title={m.name}>{m.view.display_name}</th>
                  <td><Value topic={mTopic(view!, id, m.name, m.view).topic} m={m.view} comm={comm} now={now} /></td>
                  <td className="muted small hide-narrow">{m.view.thresholds ? ['alarm_min', 'warn_min', 'warn_max', 'alarm_max'].map((k) => formatValue((m.view.thresholds as Record<string, number | null>)[k], m.view.unit)).join(' / ') : ''}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
        <CommandsPanel device={id} />
      </div>
      <section aria-labelledby="c-h">
        <h2 id="c-h">History</h2>
        <div className="charts">
          {ms.filter((m) => m.view.type === 'float').map((m) => <LazyChart key={m.name} device={id} name={m.name} m={m.view} focused={m.name === focus} />)}
        </div>
      </section>
    </div>
  );
}
