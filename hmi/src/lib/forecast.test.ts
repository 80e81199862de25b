import { describe, expect, it } from 'vitest';
import { forecastSeries, forecastSourceSeries, modelLabel, type ForecastAnswer } from './forecast';

describe('forecastSeries', () => {
  it('puts actuals and forecast on one ascending axis, null where a series has no point', () => {
    const actual = [
      { ts: '2026-06-20T10:00:00Z', value: 100 },
      { ts: '2026-06-20T11:00:00Z', value: null },
      { ts: '2026-06-20T12:00:00Z', value: 120 },
    ];
    const forecast = [
      { ts: '2026-06-20T13:00:00.000Z', value: 130, lower: 110, upper: 150 },
      { ts: '2026-06-20T12:00:00Z', value: 118 },
    ];
    const s = forecastSeries(actual, forecast);
    const h = (x: string) => Date.parse(x) / 1000;
    expect(s.xs).toEqual([h('2026-06-20T10:00:00Z'), h('2026-06-20T11:00:00Z'), h('2026-06-20T12:00:00Z'), h('2026-06-20T13:00:00Z')]);
    expect(s.actual).toEqual([100, null, 120, null]);
    expect(s.forecast).toEqual([null, null, 118, 130]);
    expect(s.lower).toEqual([null, null, null, 110]);
    expect(s.upper).toEqual([null, null, null, 150]);
  });
  it('draws only the forecast when there are no actuals; bad timestamps and values are dropped, not invented', () => {
    const s = forecastSeries(null, [{ ts: 'soon', value: 1 }, { ts: '2026-06-21T00:00:00Z', value: Number.NaN }, { ts: '2026-06-21T01:00:00Z', value: 5 }]);
    expect(s.xs).toHaveLength(2);
    expect(s.forecast).toEqual([null, 5]);
    expect(s.actual).toEqual([null, null]);
  });
  it('is empty for no points', () => {
    expect(forecastSeries([], [])).toEqual({ xs: [], actual: [], forecast: [], lower: [], upper: [] });
  });
});

describe('forecast labels', () => {
  const f: ForecastAnswer = { target: 'site_pv', model: { id: 12, name: 'gbt', version: 3 }, source: 'historian http://127.0.0.1:8410 pv_inverter_1/active_power (1h avg)', points: [] };
  it('names the model with version and registry id', () => {
    expect(modelLabel(f.model)).toBe('gbt v3 (id 12)');
    expect(modelLabel({ name: 'persistence' })).toBe('persistence');
  });
  it('finds the historian series the forecast was made from', () => {
    expect(forecastSourceSeries(f)).toEqual({ device: 'pv_inverter_1', measurement: 'active_power' });
    expect(forecastSourceSeries({ ...f, source: 'file data/ercot.csv column solar_system' })).toBeNull();
  });
});

describe('fetchForecast (a real HTTP server on loopback)', async () => {
  const { createServer } = await import('node:http');
  const answers: Record<string, [number, string]> = {
    site_pv: [404, JSON.stringify({ title: 'No Champion', status: 404, detail: "no champion model for target 'site_pv' yet" })],
    site_load: [200, JSON.stringify({ target: 'site_load', model: { id: 3, name: 'gbt', version: 1 }, points: [{ ts: '2026-06-20T10:00:00Z', value: 5 }] })],
    broken: [200, '{"target":"broken"}'],
    down: [503, JSON.stringify({ detail: 'historian unreachable' })],
  };
  const server = createServer((req, res) => {
    const t = new URL(req.url!, 'http://x').searchParams.get('target')!;
    const [status, body] = answers[t];
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const { fetchForecast } = await import('./forecast');
  it('404 is no model yet (with the reason), never a series', async () => {
    expect(await fetchForecast(url, 'site_pv')).toEqual({ kind: 'none', detail: "no champion model for target 'site_pv' yet" });
  });
  it('200 is the forecast; without points or on another status an error', async () => {
    const ok = await fetchForecast(url, 'site_load');
    expect(ok.kind === 'ok' && ok.forecast.model).toEqual({ id: 3, name: 'gbt', version: 1 });
    expect(await fetchForecast(url, 'broken')).toEqual({ kind: 'error', message: 'the forecast answer has no points' });
    expect(await fetchForecast(url, 'down')).toEqual({ kind: 'error', message: 'the analyst answered HTTP 503: historian unreachable' });
    expect((await fetchForecast(undefined, 'site_pv')).kind).toBe('error');
    server.close();
  });
});
