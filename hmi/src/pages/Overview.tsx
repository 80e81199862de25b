import { useEffect, useMemo } from 'react';
import { fetchSamples, samplesQuery } from '../lib/api';
import { ForecastPanel } from '../components/Forecast';
import { CommBadge, Sparkline, Value } from '../components/Value';
import type { CommStatus } from '../lib/contract';
import { useHistory, useLive, useNow, useSite, useWatch } from '../lib/hooks';
import { commTopic, mTopic, siteKpis, thresholded, type Kpi } from '../lib/site';
import { freshness, staleAfterMs, toneFor } from '../lib/tone';

function KpiCard({ kpi, now }: { kpi: Kpi; now: number }) {
  const { view, config, bus } = useSite();
  const t = mTopic(view!, kpi.device, kpi.measurement, kpi.view).topic;
  // the sparkline starts with the last 15 minutes from the historian, then grows live
  useEffect(() => {
    const ac = new AbortController();
    fetchSamples(config, samplesQuery(kpi.device, kpi.measurement, '15m', new Date()), ac.signal)
      .then((a) => {
        const pts = a.points.filter((p) => typeof p.value === 'number');
        bus.store.seedHistory(t, pts.map((p) => Date.parse(p.ts)), pts.map((p) => p.value as number));
      })
      .catch(() => { /* no history: the sparkline grows from live values */ });
    return () => ac.abort();
  }, [config, bus, t, kpi.device, kpi.measurement]);
  const comm = useLive(commTopic(view!, kpi.device).topic)?.value as CommStatus | undefined;
  const h = useHistory(t);
  return (
    <a className="kpi card" href={`#/device/${kpi.device}`} data-kpi={kpi.key}>
      <span className="kpi-label">{kpi.label}</span>
      <Value topic={t} m={kpi.view} comm={comm} now={now} />
      <Sparkline t={h?.t} v={h?.v} />
      <span className="muted small">{view!.devices[kpi.device]?.display_name}</span>
    </a>
  );
}

function OfflineRow({ device }: { device: string }) {
  const { view } = useSite();
  const comm = useLive(commTopic(view!, device).topic);
  if (!comm || comm.value === 'ONLINE') return null;
  return (
    <li data-offline={device}>
      <a href={`#/device/${device}`}>{view!.devices[device]?.display_name ?? device}</a> <CommBadge status={String(comm.value)} />
    </li>
  );
}

function AlarmRow({ device, name, now }: { device: string; name: string; now: number }) {
  const { view } = useSite();
  const ref = thresholded(view!).find((x) => x.device === device && x.name === name)!;
  const t = mTopic(view!, device, name, ref.view).topic;
  const live = useLive(t);
  if (!live || freshness(live.receivedAt, now, staleAfterMs(ref.view), undefined) !== 'live') return null;
  const tone = toneFor(live.value, ref.view.thresholds);
  if (tone !== 'warn' && tone !== 'alarm') return null;
  return (
    <li data-alarm={`${device}/${name}`}>
      <a href={`#/device/${device}`}>{view!.devices[device]?.display_name} · {ref.view.display_name}</a>{' '}
      <Value topic={t} m={ref.view} now={now} />
    </li>
  );
}

export function Overview({ focus }: { focus?: string }) {
  const { view } = useSite();
  useEffect(() => { if (focus) document.getElementById(focus)?.scrollIntoView(); }, [focus]);
  const now = useNow(1000);
  const kpis = useMemo(() => (view ? siteKpis(view) : []), [view]);
  const watched = useMemo(() => thresholded(view!), [view]);
  const devices = useMemo(() => Object.keys(view!.devices).sort(), [view]);
  const topics = useMemo(() => {
    const seen = new Set<string>();
    const out = [];
    for (const k of kpis) out.push(mTopic(view!, k.device, k.measurement, k.view));
    for (const w of watched) out.push(mTopic(view!, w.device, w.name, w.view));
    for (const d of devices) out.push(commTopic(view!, d));
    return out.filter((t) => !seen.has(t.topic) && seen.add(t.topic));
  }, [view, kpis, watched, devices]);
  useWatch(topics);
  return (
    <div className="page overview">
      <h1>{view!.site_display_name || view!.site_id}</h1>
      <section className="kpis" aria-label="Site KPIs">
        {kpis.map((k) => <KpiCard key={k.key} kpi={k} now={now} />)}
      </section>
      <div className="columns">
        <section className="panel" aria-labelledby="offline-h">
          <h2 id="offline-h">Devices not online</h2>
          <ul className="plain" data-list="offline">{devices.map((d) => <OfflineRow key={d} device={d} />)}</ul>
          <p className="muted small">Devices reporting DEGRADED or OFFLINE communication.</p>
        </section>
        <section className="panel" aria-labelledby="alarm-h">
          <h2 id="alarm-h">Values in warning or alarm</h2>
          <ul className="plain" data-list="alarms">{watched.map((w) => <AlarmRow key={`${w.device}/${w.name}`} device={w.device} name={w.name} now={now} />)}</ul>
          <p className="muted small">{watched.length} thresholded values watched.</p>
        </section>
      </div>
      <section aria-labelledby="forecast-h">
        <h2 id="forecast-h">Forecasts</h2>
        <div className="charts">
          {kpis.some((k) => k.key === 'pv') && <ForecastPanel target="site_pv" label="PV production" />}
          {kpis.some((k) => k.key === 'load') && <ForecastPanel target="site_load" label="Datacenter load" />}
        </div>
      </section>
    </div>
  );
}
