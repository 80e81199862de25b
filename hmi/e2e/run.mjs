// The HMI's end-to-end tests (ctest hmi_e2e): the built bundle served by ems-hmi, in chromium,
// against the real suite. Each test prints PASS/FAIL with its reason; the exit code is the number
// of failures (0 = all passed). EMS_HMI_SCREENSHOTS=<folder> also writes the page screenshots.
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import mqtt from 'mqtt';
import { startBrowser, startSuite } from './suite.mjs';

const SITE = 'demo_site';
const RACK = 'bess_rack_1';
const rackPowerTopic = `sites/${SITE}/devices/${RACK}/measurements/active_power/watts`;

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function until(what, fn, timeoutMs = 30_000, everyMs = 250) {
  const end = Date.now() + timeoutMs;
  let last;
  while (Date.now() < end) {
    try { const v = await fn(); if (v) return v; } catch (e) { last = e; }
    await sleep(everyMs);
  }
  throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? `: ${last.message}` : ''}`);
}
const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
});

const suite = await startSuite();
const { info } = suite;
console.log(`suite up: hmi ${info.hmi_url}, device-api ${info.device_api_url}, historian ${info.historian_running ? info.historian_url : 'MISSING'}`);
const browser = await startBrowser();
const page = await browser.context.newPage();
const pageErrors = [];
page.on('pageerror', (e) => pageErrors.push(e.message));
const go = async (hash) => { await page.goto(`${info.hmi_url}/#/${hash}`); await page.waitForSelector('main'); };
const storeValue = (topic) => page.evaluate((t) => window.__ems?.bus.store.get(t)?.value ?? null, topic);
const subscribed = () => page.evaluate(() => window.__ems.bus.subscribedTopics());

// A plain MQTT client beside the browser: sees what the HMI publishes.
const watcher = mqtt.connect(info.mqtt_url.replace(/^mqtt:/, 'mqtt:'), { reconnectPeriod: 500 });
const published = [];
watcher.on('message', (topic, payload) => published.push({ topic, payload: payload.toString() }));
await new Promise((r) => watcher.on('connect', r));
await new Promise((r) => watcher.subscribe(`sites/${SITE}/devices/+/commands/#`, { qos: 1 }, r));

const results = [];
async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`PASS ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e.stack || e.message}`);
  }
}

await test('overview shows live values that change, subscribed to what it shows only', async () => {
  await go('overview');
  await page.waitForSelector('[data-kpi] .value[data-freshness="live"]', { timeout: 60_000 });
  const read = () => page.$$eval('[data-kpi] .value', (els) => els.map((e) => `${e.getAttribute('data-topic')}=${e.textContent}`).join('|'));
  const first = await read();
  await until('a KPI value to change', async () => (await read()) !== first, 60_000, 500);
  const topics = await subscribed();
  assert.ok(topics.length > 0);
  assert.ok(!topics.some((t) => t.includes('#') || t.includes('+')), `wildcard subscription: ${topics.filter((t) => /[#+]/.test(t))}`);
  assert.ok(topics.every((t) => t.startsWith(`sites/${SITE}/devices/`)), 'only device topics');
  // the header knows each service's liveness (services/+/status, retained)
  await until('the gateway and device-api ONLINE', () => page.evaluate(() => {
    const s = window.__ems.bus.services();
    return s.gateway === 'ONLINE' && s['device-api'] === 'ONLINE';
  }));
  assert.equal(await page.locator('[data-services-offline]').count(), 0);
  // a KPI without data (line loading: line-controller is not in this suite) shows the dash, never 0
  const missing = await page.$$eval('.value[data-freshness="missing"] .value-text', (els) => els.map((e) => e.textContent));
  assert.ok(missing.every((t) => t === '—'), `missing values shown as ${missing}`);
});

await test('single-line diagram has a live value on every bound device', async () => {
  await go('sld');
  await page.waitForSelector('.sld-host svg g[id^="device-"]', { timeout: 30_000 });
  const bound = await page.$$eval('.sld-host text.hmi-live', (els) => els.map((e) => e.getAttribute('data-live-device')));
  const drawn = await page.$$eval('.sld-host svg g[id^="device-"]', (els) => els.map((e) => e.id.slice(7)));
  assert.ok(bound.length >= drawn.length - 1 && bound.length > 10, `bound ${bound.length} of ${drawn.length} devices`);
  const emptyDevices = () => page.$$eval('.sld-host text.hmi-live', (els) => els.filter((e) => e.getAttribute('data-has-value') !== 'true').map((e) => e.getAttribute('data-live-device')));
  try {
    // generous: under load the gateway's first successful read of a slow endpoint can take a while
    await until('a value on every bound device', async () => (await emptyDevices()).length === 0, 120_000, 500);
  } catch {
    // Say whose fault it is: the HMI's binding, or no value on the bus at all.
    const empty = await emptyDevices();
    const detail = await page.evaluate((ids) => {
      const b = window.__ems.bus;
      return ids.map((id) => ({ id, topics: b.subscribedTopics().filter((t) => t.includes(`/${id}/`)), values: b.subscribedTopics().filter((t) => t.includes(`/${id}/`)).map((t) => `${t.split('/')[5]}=${JSON.stringify(b.store.get(t)?.value ?? null)}`) }));
    }, empty);
    const onBus = new Set();
    const probe = mqtt.connect(info.mqtt_url);
    await new Promise((r) => probe.on('connect', r));
    probe.on('message', (t, p) => { if (p.length) onBus.add(t); });
    await new Promise((r) => probe.subscribe(detail.flatMap((d) => d.topics), { qos: 0 }, r));
    await sleep(1500);
    probe.end(true);
    throw new Error(`no value on ${detail.map((d) => `${d.id} (page: ${d.values.join(' ')}; retained on the broker: ${d.topics.filter((t) => onBus.has(t)).map((t) => t.split('/')[5]).join(' ') || 'nothing'})`).join('; ')}`);
  }
  const flows = await page.$$eval('.sld-host polyline.flow', (els) => els.length);
  assert.ok(flows > 0, 'some wire animates its power flow');
  const animation = () => page.$eval('.sld-host polyline.flow', (e) => getComputedStyle(e).animationName);
  assert.equal(await animation(), 'flow');
  // prefers-reduced-motion: no animation, static arrows beside the values instead
  await page.emulateMedia({ reducedMotion: 'reduce' });
  try {
    assert.equal(await animation(), 'none');
    const arrows = await page.$$eval('.sld-host tspan.flow-arrow', (els) => els.filter((e) => getComputedStyle(e).display !== 'none' && /[▲▼]/.test(e.textContent)).length);
    assert.ok(arrows > 0, 'static arrows shown');
  } finally {
    await page.emulateMedia({ reducedMotion: null });
  }
});

await test('an out-of-bounds setpoint cannot be sent', async () => {
  await go(`device/${RACK}`);
  const form = page.locator('form[data-command="set_active_power"]');
  await form.locator('input').fill('5000000');
  await until('the bound check message', async () => (await form.locator('[data-check="error"]').textContent())?.includes('Above the maximum'));
  assert.equal(await form.locator('button[type="submit"]').isDisabled(), true, 'Review button disabled');
  await form.locator('input').press('Enter');
  await sleep(1500);
  assert.equal(await form.locator('.confirm').count(), 0, 'no confirmation step');
  assert.equal(published.filter((p) => p.topic.includes(`/${RACK}/commands/`)).length, 0, 'nothing published');
});

await test('a BESS setpoint goes from confirm to done and the rack power follows', async () => {
  await go(`device/${RACK}`);
  await until('the rack power value', () => storeValue(rackPowerTopic).then((v) => v !== null), 60_000);
  const setpoint = 250000;
  const form = page.locator('form[data-command="set_active_power"]');
  await form.locator('input').fill(String(setpoint));
  await form.locator('button[type="submit"]').click();
  const dialog = form.locator('.confirm');
  await dialog.waitFor();
  assert.match(await dialog.locator('[data-confirm="new"]').textContent(), /250 kW/);
  assert.notEqual(await dialog.locator('[data-confirm="current"]').textContent(), '');
  await dialog.getByRole('button', { name: 'Confirm and send' }).click();
  const item = page.locator('.command-log li').first();
  await until('the command to be done', async () => {
    const state = await item.getAttribute('data-state');
    if (['rejected', 'failed', 'timeout', 'error'].includes(state)) throw new Error(`ended ${state}: ${await item.textContent()}`);
    return state === 'done';
  }, 30_000);
  const states = await item.locator('.ack-states').textContent();
  assert.equal(states, 'sent → received → accepted → done');
  const id = await item.getAttribute('data-command-id');
  const sent = published.find((p) => p.topic === `sites/${SITE}/devices/${RACK}/commands/set/active_power/watts`);
  assert.ok(sent, 'the command was on the bus');
  assert.equal(JSON.parse(sent.payload).command_id, id);
  assert.equal(JSON.parse(sent.payload).value, setpoint);
  await until('the rack power to follow the setpoint', async () => {
    const v = await storeValue(rackPowerTopic);
    return typeof v === 'number' && Math.abs(v - setpoint) <= 0.02 * setpoint;
  }, 30_000);
  // the commands page lists it among this session's commands
  await go(`commands/${RACK}`);
  await page.locator('form[data-command="set_active_power"]').waitFor();
  assert.match(await page.locator(`[aria-labelledby="session-h"] li[data-command-id="${id}"]`).textContent(), /done - the device confirmed/);
});

await test('a device chart renders history', async () => {
  if (!info.historian_running) throw new Error(`the historian binary ${info.historian_missing} is missing: build ems-historian (services/historian)`);
  await go(`device/${RACK}`);
  const chart = page.locator('figure.chart[data-chart="active_power"]');
  await chart.scrollIntoViewIfNeeded();
  await until('history points in the chart', async () => {
    await chart.getByRole('button', { name: '15 min' }).click();
    await until('the chart to load', async () => (await chart.getAttribute('data-status')) !== 'loading', 15_000);
    if ((await chart.getAttribute('data-status')) === 'error') throw new Error(await chart.locator('.error').textContent());
    return Number(await chart.getAttribute('data-points')) > 0;
  }, 90_000, 3000);
  assert.equal(await chart.locator('canvas').count() > 0, true, 'uPlot drew a canvas');
});

if (process.env.EMS_HMI_SCREENSHOTS) {
  await test('screenshots', async () => {
    const dir = process.env.EMS_HMI_SCREENSHOTS;
    mkdirSync(dir, { recursive: true });
    for (const [w, h, tag] of [[1440, 900, 'desktop'], [390, 844, 'phone']]) {
      await page.setViewportSize({ width: w, height: h });
      for (const [hash, name, ready] of [
        ['overview', 'overview', '[data-kpi] .value[data-freshness="live"]'],
        ['modules', 'modules', '[data-device="bess_module_1"]'],
        [`device/${RACK}`, 'device', 'figure.chart[data-status="ok"]'],
        ['sld', 'sld', '.sld-host text.hmi-live[data-has-value="true"]'],
        [`commands/${RACK}`, 'commands', 'form[data-command="set_active_power"]'],
      ]) {
        await go(hash);
        await page.waitForSelector(ready, { timeout: 60_000 }).catch(() => {});
        await sleep(1500);
        await page.screenshot({ path: `${dir}/${name}-${tag}.png` });
      }
    }
  });
}

await test('a faulted device is shown offline', async () => {
  const device = 'pv_inverter_1';
  const r = await fetch(`${info.fixtures_url}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ device_id: device, kind: 'silent' }) });
  assert.equal(r.status, 204, `POST /faults: ${r.status} ${await r.text()}`);
  try {
    await go(`device/${device}`);
    await page.waitForSelector('h1 [data-comm="OFFLINE"]', { timeout: 60_000 });
    await page.waitForSelector('.banner.offline');
    const fresh = await page.$$eval('table.measurements .value', (els) => els.map((e) => e.getAttribute('data-freshness')));
    assert.ok(fresh.length > 0 && fresh.every((f) => f === 'offline' || f === 'missing'), `freshness ${fresh}`);
    await go('overview');
    await page.waitForSelector(`[data-offline="${device}"]`, { timeout: 10_000 });
  } finally {
    await fetch(`${info.fixtures_url}/faults`, { method: 'DELETE' });
  }
});

await test('a device added through device-api appears without a reload, and goes when removed', async () => {
  await go('modules');
  await page.waitForSelector('[data-device="bess_module_1"]');
  await page.evaluate(() => { window.__noReload = true; });
  assert.equal(await page.locator('[data-device="bess_rack_3"]').count(), 0);
  const device = { device_id: 'bess_rack_3', template: 'bess_rack', parent: 'bess_module_1', display_name: 'BESS Rack 3',
    connection: { host: '127.0.0.1', port: await freePort(), unit_id: '1' } };
  const r = await fetch(`${info.device_api_url}/devices`, {
    method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${info.api_token}` }, body: JSON.stringify(device),
  });
  assert.equal(r.status, 201, `POST /devices: ${r.status} ${await r.text()}`);
  await page.waitForSelector('[data-device="bess_rack_3"]', { timeout: 30_000 });
  assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
  const commTopic = `sites/${SITE}/devices/bess_rack_3/measurements/comm_status/none`;
  await until('the new rack comm_status subscription', async () => (await subscribed()).includes(commTopic));
  // and removed again: the row goes, and so does its subscription
  const d = await fetch(`${info.device_api_url}/devices/bess_rack_3`, { method: 'DELETE', headers: { authorization: `Bearer ${info.api_token}` } });
  assert.equal(d.status, 200, `DELETE /devices/bess_rack_3: ${d.status} ${await d.text()}`);
  await page.waitForSelector('[data-device="bess_rack_3"]', { state: 'detached', timeout: 30_000 });
  await until('the rack comm_status unsubscribed', async () => !(await subscribed()).includes(commTopic));
  assert.equal(await page.evaluate(() => window.__noReload), true, 'the page was not reloaded');
});

await test('no page error and no bad payload', async () => {
  assert.deepEqual(pageErrors, []);
  const rejected = await page.$eval('[data-diag="rejected"]', (e) => Number(e.textContent));
  assert.equal(rejected, 0, 'payloads ignored by the diagnostics panel');
});

await test('a bad payload is ignored and counted, the page stays up', async () => {
  await go(`device/${RACK}`);
  await page.waitForSelector('table.measurements .value[data-freshness="live"]', { timeout: 30_000 });
  const before = await storeValue(rackPowerTopic);
  await new Promise((r) => watcher.publish(rackPowerTopic, '{"ts":"yesterday","value":"lots"}', { qos: 1 }, r));
  await page.locator('.diagnostics summary').click();
  await until('the diagnostics counter', async () => Number(await page.$eval('[data-diag="rejected"]', (e) => e.textContent)) >= 1);
  assert.match(await page.locator('.diagnostics').textContent(), /ts is not an RFC 3339 UTC timestamp/);
  assert.equal(typeof (await storeValue(rackPowerTopic)), typeof before, 'the last good value is kept');
  assert.ok(await page.locator('table.measurements').isVisible());
  assert.deepEqual(pageErrors, []);
});

watcher.end(true);
await browser.stop();
await suite.stop();
const failed = results.filter((r) => !r.ok).length;
console.log(`hmi e2e: ${results.length - failed} passed, ${failed} failed`);
process.exit(failed);
