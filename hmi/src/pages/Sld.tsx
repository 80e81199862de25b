// The single-line diagram from device-api with live values written straight into the SVG (no
// React render per message): each device-{id} group gets its power (or first float) value, its
// tone and offline state; each wire of the device animates in the direction of the power's sign
// (static arrows under prefers-reduced-motion); breakers show their state; bus-{id} bars are
// marked live while one member is online. Pan with drag, zoom with the wheel or the buttons.
import { useEffect, useMemo, useRef, useState } from 'react';
import { fetchSld } from '../lib/api';
import { useSite, useWatch } from '../lib/hooks';
import { breakerMeasurement, commTopic, displayCandidates, mTopic } from '../lib/site';
import { formatValue, toneFor } from '../lib/tone';

const SVGNS = 'http://www.w3.org/2000/svg';

function sanitize(svgText: string): SVGSVGElement | null {
  const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
  const svg = doc.documentElement;
  if (svg.nodeName !== 'svg' || doc.querySelector('parsererror')) return null;
  svg.querySelectorAll('script, foreignObject').forEach((n) => n.remove());
  svg.querySelectorAll('*').forEach((el) => {
    for (const a of [...el.attributes]) if (a.name.startsWith('on')) el.removeAttribute(a.name);
  });
  return document.importNode(svg, true) as unknown as SVGSVGElement;
}

export function Sld() {
  const { view, config, bus } = useSite();
  const host = useRef<HTMLDivElement>(null);
  const [svgText, setSvgText] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [bound, setBound] = useState(0);
  const version = view!.version;

  useEffect(() => {
    let live = true;
    fetchSld(config).then((t) => live && (setSvgText(t), setError(null))).catch((e: Error) => live && setError(e.message));
    return () => { live = false; };
  }, [config, version]);

  const bindings = useMemo(() => Object.keys(view!.devices).map((id) => ({
    id, candidates: displayCandidates(view!, id), breaker: breakerMeasurement(view!, id),
  })), [view]);
  const topics = useMemo(() => bindings.flatMap((b) => [
    commTopic(view!, b.id),
    ...b.candidates.map((c) => mTopic(view!, b.id, c.name, c.view)),
    ...(b.breaker ? [mTopic(view!, b.id, b.breaker.name, b.breaker.view)] : []),
  ]), [bindings, view]);
  useWatch(topics);

  useEffect(() => {
    const el = host.current;
    if (!el || !svgText) return;
    const svg = sanitize(svgText);
    if (!svg) { setError('the diagram is not valid SVG'); return; }
    svg.removeAttribute('width');
    svg.removeAttribute('height');
    svg.setAttribute('role', 'img');
    svg.setAttribute('preserveAspectRatio', 'xMidYMin meet'); // top-aligned, no empty band above
    svg.setAttribute('aria-label', `Single-line diagram of ${view!.site_display_name || view!.site_id}`);
    el.replaceChildren(svg);
    const vb0 = svg.viewBox.baseVal;
    const home = { x: vb0.x, y: vb0.y, w: vb0.width, h: vb0.height };
    (el as HTMLDivElement & { home?: typeof home }).home = home;
    const cleanups: (() => void)[] = [];
    let count = 0;
    const busMembers = new Map<string, string[]>();
    for (const b of view!.buses) busMembers.set(b.bus_id, b.members.map((m) => m.device_id));

    for (const b of bindings) {
      const g = svg.querySelector<SVGGElement>(`g[id="device-${CSS.escape(b.id)}"]`);
      if (!g || !b.candidates.length) continue;
      const box = g.getBBox();
      // keyboard: each device is a link to its page
      g.setAttribute('tabindex', '0');
      g.setAttribute('role', 'link');
      g.setAttribute('aria-label', `${view!.devices[b.id].display_name}: open the device page`);
      const onKey = (e: KeyboardEvent) => { if (e.key === 'Enter') window.location.hash = `#/device/${b.id}`; };
      g.addEventListener('keydown', onKey);
      const text = document.createElementNS(SVGNS, 'text');
      text.setAttribute('class', 'hmi-live');
      text.setAttribute('x', String(box.x));
      text.setAttribute('y', String(box.y + box.height + 12));
      text.dataset.liveDevice = b.id;
      const arrow = document.createElementNS(SVGNS, 'tspan');
      arrow.setAttribute('class', 'flow-arrow');
      const val = document.createElementNS(SVGNS, 'tspan');
      const tip = document.createElementNS(SVGNS, 'title');
      text.append(tip, arrow, val);
      g.append(text);
      let brk: SVGTextElement | null = null;
      if (b.breaker) {
        brk = document.createElementNS(SVGNS, 'text');
        brk.setAttribute('class', 'hmi-breaker');
        brk.setAttribute('x', String(box.x));
        brk.setAttribute('y', String(box.y + box.height + 25));
        g.append(brk);
      }
      count++;
      const wires = [...svg.querySelectorAll<SVGPolylineElement>(`polyline[data-device-id="${CSS.escape(b.id)}"]`)];
      const cands = b.candidates.map((c) => ({ ...c, topic: mTopic(view!, b.id, c.name, c.view).topic }));
      const ct = commTopic(view!, b.id).topic;
      const bt = b.breaker ? mTopic(view!, b.id, b.breaker.name, b.breaker.view).topic : '';
      const update = () => {
        const shown = cands.find((c) => bus.store.get(c.topic)) ?? cands[0];
        const v = bus.store.get(shown.topic);
        const comm = bus.store.get(ct)?.value;
        val.textContent = v ? formatValue(v.value, shown.view.unit) : '—';
        tip.textContent = `${shown.view.display_name}${v ? ` at ${v.ts}` : ': no data'}`;
        text.dataset.hasValue = v ? 'true' : 'false';
        text.dataset.measurement = shown.name;
        const tone = v ? toneFor(v.value, shown.view.thresholds) : 'none';
        g.classList.toggle('tone-alarm', tone === 'alarm');
        g.classList.toggle('tone-warn', tone === 'warn');
        g.classList.toggle('is-offline', comm === 'OFFLINE');
        g.dataset.comm = typeof comm === 'string' ? comm : '';
        const sign = v && typeof v.value === 'number' && shown.view.unit === 'watts' && comm !== 'OFFLINE'
          ? Math.sign(Math.abs(v.value) < 1 ? 0 : v.value) : 0;
        arrow.textContent = sign > 0 ? '▼ ' : sign < 0 ? '▲ ' : '';
        for (const w of wires) {
          w.classList.toggle('flow', sign !== 0);
          w.classList.toggle('flow-pos', sign > 0);
          w.classList.toggle('flow-neg', sign < 0);
        }
        if (brk && bt) {
          const s = bus.store.get(bt);
          brk.textContent = s ? `${b.breaker!.view.display_name}: ${String(s.value)}` : '';
        }
        for (const [busId, members] of busMembers) {
          if (!members.includes(b.id)) continue;
          const bar = svg.querySelector(`g[id="bus-${CSS.escape(busId)}"]`);
          const on = members.some((m) => bus.store.get(commTopic(view!, m).topic)?.value === 'ONLINE');
          bar?.classList.toggle('bus-live', on);
        }
      };
      update();
      cleanups.push(...cands.map((c) => bus.store.subscribe(c.topic, update)), bus.store.subscribe(ct, update));
      if (bt) cleanups.push(bus.store.subscribe(bt, update));
    }
    setBound(count);

    // pan and zoom on the viewBox
    const vb = svg.viewBox.baseVal;
    const zoomAt = (f: number, cx: number, cy: number) => {
      const w = Math.min(home.w * 4, Math.max(home.w / 8, vb.width * f));
      const h = (w / vb.width) * vb.height;
      vb.x = cx - ((cx - vb.x) * w) / vb.width;
      vb.y = cy - ((cy - vb.y) * h) / vb.height;
      vb.width = w; vb.height = h;
    };
    const toSvg = (e: { clientX: number; clientY: number }) => {
      const r = svg.getBoundingClientRect();
      return { x: vb.x + ((e.clientX - r.left) / r.width) * vb.width, y: vb.y + ((e.clientY - r.top) / r.height) * vb.height };
    };
    const onWheel = (e: WheelEvent) => { e.preventDefault(); const p = toSvg(e); zoomAt(e.deltaY > 0 ? 1.15 : 1 / 1.15, p.x, p.y); };
    let drag: { x: number; y: number } | null = null;
    const onDown = (e: PointerEvent) => { drag = { x: e.clientX, y: e.clientY }; svg.setPointerCapture(e.pointerId); };
    const onMove = (e: PointerEvent) => {
      if (!drag) return;
      const r = svg.getBoundingClientRect();
      vb.x -= ((e.clientX - drag.x) / r.width) * vb.width;
      vb.y -= ((e.clientY - drag.y) / r.height) * vb.height;
      drag = { x: e.clientX, y: e.clientY };
    };
    const onUp = () => { drag = null; };
    // a phone starts on the top-left half, twice as large (pan for the rest)
    if (el.clientWidth < 600) { vb.width = home.w / 2; vb.height = home.h / 2; }
    svg.addEventListener('wheel', onWheel, { passive: false });
    svg.addEventListener('pointerdown', onDown);
    svg.addEventListener('pointermove', onMove);
    svg.addEventListener('pointerup', onUp);
    const onClick = (e: MouseEvent) => {
      const g = (e.target as Element).closest('g[data-device-id]');
      if (g && !drag) window.location.hash = `#/device/${(g as SVGGElement).dataset.deviceId}`;
    };
    svg.addEventListener('dblclick', onClick);
    (el as HTMLDivElement & { zoom?: (f: number) => void }).zoom = (f: number) => {
      if (f === 0) { vb.x = home.x; vb.y = home.y; vb.width = home.w; vb.height = home.h; }
      else zoomAt(f, vb.x + vb.width / 2, vb.y + vb.height / 2);
    };
    return () => cleanups.forEach((c) => c());
  }, [svgText, bindings, bus, view]);

  const zoom = (f: number) => (host.current as (HTMLDivElement & { zoom?: (f: number) => void }) | null)?.zoom?.(f);
  return (
    <div className="page sld">
      <h1>Single-line diagram</h1>
      <div className="toolbar" role="group" aria-label="Zoom">
        <button type="button" onClick={() => zoom(1 / 1.25)} aria-label="Zoom in">+</button>
        <button type="button" onClick={() => zoom(1.25)} aria-label="Zoom out">−</button>
        <button type="button" onClick={() => zoom(0)}>Reset view</button>
        <span className="muted small">{bound} devices bound · drag to pan, wheel to zoom, double-click a device to open it · topology {version}</span>
      </div>
      {error && <p className="error" role="alert">Diagram unavailable: {error}</p>}
      <div ref={host} className="sld-host" data-bound={bound} />
    </div>
  );
}
